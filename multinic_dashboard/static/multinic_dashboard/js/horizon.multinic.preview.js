/* The live config-drive preview: after each change (debounced), the wizard's fields go to the
 * panel's preview view as the launch would post them. The server reads them as the launch
 * does (refusing what it refuses, with its message) and asks the API's dry run, which runs the
 * real launch and rolls it back. Its documents are shown; a launch that would fail shows the
 * server's message, in the preview and beside the step being edited.
 */
horizon.multinic.preview = {
  DELAY_MS: 350,

  showInlineError: function (wizard, message) {
    // Beside the step being edited, as well as in the preview.
    wizard.$form.find('.multinic-inline-error').remove();
    if (!message) {
      return;
    }
    var $step = wizard.$form.find('fieldset.js-tab-pane.active');
    $step.prepend($('<div class="alert multinic-error multinic-inline-error" role="alert">')
      .text(message));
  },

  schedule: function (wizard) {
    // "pending" until the answer for the latest state is shown (tests wait on it too).
    wizard.$root.attr('data-preview-state', 'pending');
    clearTimeout(wizard.previewTimer);
    wizard.previewTimer = setTimeout(function () {
      horizon.multinic.preview.run(wizard);
    }, horizon.multinic.preview.DELAY_MS);
  },

  run: function (wizard) {
    var preview = horizon.multinic.preview;
    var seq = ++wizard.previewSeq;
    if (!wizard.nics.length) {
      $('#preview-status').text(gettext('Add a network to see the config drive.'));
      $('#preview-network-data-json, #preview-meta-data-json').text('-');
      $('#preview-error').addClass('hide');
      preview.showInlineError(wizard, null);
      wizard.$root.attr('data-preview-state', 'empty');
      return;
    }
    $('#preview-status').text(gettext('Updating...'));
    $.ajax({
      type: 'POST',
      url: wizard.$root.data('preview-url'),
      // The whole form, with its CSRF token: what the launch would post.
      data: wizard.$form.serialize(),
      dataType: 'json'
    }).done(function (data) {
      if (seq !== wizard.previewSeq) { return; }
      // With a Count above one the answer lists each instance: the first one is shown.
      var shown = data.instances ? data.instances[0] : data;
      $('#preview-network-data-json').text(JSON.stringify(shown.network_data, null, 2));
      $('#preview-meta-data-json').text(JSON.stringify(shown.meta_data, null, 2));
      $('#preview-error').addClass('hide').text('');
      preview.showInlineError(wizard, null);
      var warnings = data.warnings || [];
      $('#preview-warnings').toggleClass('hide', !warnings.length).text(warnings.join(' '));
      var count = shown.network_info.length;
      var status = interpolate(
        ngettext('Up to date: %s NIC.', 'Up to date: %s NICs.', count), [count]);
      if (data.instances) {
        status = interpolate(ngettext(
          'Up to date: %(count)s instance, %(nics)s NIC(s) each; the first is shown.',
          'Up to date: %(count)s instances, %(nics)s NIC(s) each; the first is shown.',
          data.instances.length), {count: data.instances.length, nics: count}, true);
      }
      $('#preview-status').text(status);
      wizard.$root.attr('data-preview-state', 'ok');
    }).fail(function (xhr) {
      if (seq !== wizard.previewSeq) { return; }
      var message = horizon.multinic.errorText(xhr);
      $('#preview-error').removeClass('hide').text(message);
      $('#preview-warnings').addClass('hide');
      $('#preview-status').text(gettext('This launch would fail:'));
      preview.showInlineError(wizard, message);
      wizard.$root.attr('data-preview-state', 'error');
    });
  },

  bind: function (wizard) {
    wizard.$form.on('input change', '[name="name"], [name="count"], [name="metadata"], ' +
                    '[name="user_data"], [name="key_name"], [name="config_drive"]', function () {
      horizon.multinic.preview.schedule(wizard);
    });
  }
};

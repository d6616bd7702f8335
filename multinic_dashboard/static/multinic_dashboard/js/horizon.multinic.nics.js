/* The Networks step's ordered NIC list: add, remove, reorder (buttons, keyboard, or drag and
 * drop), and each NIC's fixed IP and device tag. The list's order is the instance's NIC order:
 * the first is eth0.
 */
horizon.multinic.nics = {
  render: function (wizard, focus) {
    var nics = wizard.nics;
    var button = horizon.multinic.iconButton;
    var $selected = $('#selected-networks').empty();
    nics.forEach(function (nic, index) {
      var network = wizard.networkById[nic.network_id];
      var name = 'eth' + index;
      var about = {nic: name};
      var $item = $('<li class="list-group-item nic"></li>').attr('data-index', index)
        .attr('data-network-id', nic.network_id);
      var $buttons = $('<div class="btn-group pull-right"></div>').append(
        button('move-up', 'arrow-up', interpolate(gettext('Move %(nic)s up'), about, true),
               index === 0),
        button('move-down', 'arrow-down',
               interpolate(gettext('Move %(nic)s down'), about, true),
               index === nics.length - 1),
        button('remove-network', 'times', interpolate(gettext('Remove %(nic)s'), about, true)));
      $item.append($buttons,
        $('<span class="fa fa-grip-vertical text-muted drag-handle" aria-hidden="true"></span> '),
        $('<span class="label label-primary nic-name"></span>').text(name),
        $('<strong class="network-name"></strong>').text(network.name),
        $('<small class="text-muted"></small>').text('  ' + network.subnets.join(', ')));
      var $fields = $('<div class="nic-fields"></div>').append(
        $('<input type="text" class="form-control input-sm nic-fixed-ip">')
          .attr('placeholder', gettext('Fixed IP (optional)'))
          .attr('aria-label', interpolate(gettext('Fixed IP address of %(nic)s'), about, true))
          .val(nic.fixed_ip),
        ' ',
        $('<input type="text" class="form-control input-sm nic-tag">')
          .attr('placeholder', gettext('Device tag (optional)'))
          .attr('aria-label', interpolate(gettext('Device tag of %(nic)s'), about, true))
          .val(nic.tag));
      $item.append($fields);
      $selected.append($item);
    });
    $('#nic-count').text(nics.length);
    $('#no-nics').toggleClass('hide', nics.length > 0);
    if (nics.length) {
      $('#nics-error').addClass('hide');
    }
    if (focus) {
      // Keep the keyboard where it was: the same button of the moved NIC, or (at the top or
      // bottom, where it is disabled) the button that moves it back.
      var $item = $selected.find('li.nic').eq(focus.index);
      var opposite = {'move-up': 'move-down', 'move-down': 'move-up'}[focus.cls];
      var $target = [focus.cls, opposite, 'remove-network'].map(function (cls) {
        return cls && $item.find('.' + cls);
      }).filter(function ($b) { return $b && $b.length && !$b.prop('disabled'); })[0];
      if ($target) {
        $target.trigger('focus');
      }
    }
    horizon.multinic.bonding.render(wizard);
  },

  bind: function (wizard) {
    var render = horizon.multinic.nics.render;
    var $selected = $('#selected-networks');

    function indexOf(element) {
      return Number($(element).closest('li.nic').attr('data-index'));
    }

    wizard.$root.on('click', '.add-network', function () {
      var id = $(this).closest('.available-network').data('network-id');
      wizard.nics.push({network_id: String(id), fixed_ip: '', tag: '', carrier: null});
      render(wizard);
      wizard.changed();
    });
    $selected.on('click', '.move-up, .move-down', function () {
      var index = indexOf(this);
      var up = $(this).hasClass('move-up');
      var to = up ? index - 1 : index + 1;
      if (to < 0 || to >= wizard.nics.length) {
        return;
      }
      wizard.nics.splice(to, 0, wizard.nics.splice(index, 1)[0]);
      render(wizard, {index: to, cls: up ? 'move-up' : 'move-down'});
      wizard.changed();
    });
    $selected.on('click', '.remove-network', function () {
      var index = indexOf(this);
      wizard.nics.splice(index, 1);
      render(wizard, wizard.nics.length
        ? {index: Math.min(index, wizard.nics.length - 1), cls: 'remove-network'} : null);
      wizard.changed();
    });
    $selected.on('input', '.nic-fixed-ip, .nic-tag', function () {
      var nic = wizard.nics[indexOf(this)];
      nic[$(this).hasClass('nic-tag') ? 'tag' : 'fixed_ip'] = $(this).val().trim();
      wizard.changed();
    });
    // Drag and drop (jQuery UI, as Horizon's own network list did): the DOM order after a
    // drop becomes the NIC order.
    $selected.sortable({
      items: '> li.nic',
      cancel: 'input,button',
      axis: 'y',
      placeholder: 'ui-state-highlight',
      distance: 5,
      update: function () {
        var order = $selected.children('li.nic').map(function () {
          return Number($(this).attr('data-index'));
        }).get();
        wizard.nics = order.map(function (i) { return wizard.nics[i]; });
        render(wizard);
        wizard.changed();
      }
    });

    // The wizard's Next cannot show an error on a hidden field; say it here.
    wizard.$form.on('click', '.button-next, .button-final', function () {
      if ($('#multinic-nics').is(':visible') && !wizard.nics.length) {
        $('#nics-error').text(gettext('At least one network must be specified.'))
          .removeClass('hide');
      }
    });
  }
};

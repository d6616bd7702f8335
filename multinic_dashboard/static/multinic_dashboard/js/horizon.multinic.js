/* The launch wizard's dynamic parts, under Horizon's namespace as Horizon's own scripts are,
 * one part a file (the templates load them in this order):
 *
 *   horizon.multinic.js           what the parts share (this file)
 *   horizon.multinic.state.js     the wizard's state and the two hidden fields the server reads
 *   horizon.multinic.carriers.js  what carries each NIC on a bare-metal node, and loading it
 *   horizon.multinic.nics.js      the ordered NIC list
 *   horizon.multinic.bonding.js   the bonding form
 *   horizon.multinic.preview.js   the live config-drive preview
 *   horizon.multinic.launch.js    starts the wizard on its page (horizon.addInitFunction)
 *
 * Every visible string goes through Horizon's gettext (its JavaScript catalogue is on every
 * page), and markup is built as elements whose text is set as text: names, tags, physical
 * networks and the API's messages are whatever someone typed.
 */
horizon.multinic = {
  iconButton: function (cls, icon, label, disabled) {
    return $('<button type="button" class="btn btn-default btn-xs"></button>')
      .addClass(cls).attr('aria-label', label).attr('title', label)
      .prop('disabled', !!disabled)
      .append($('<span class="fa"></span>').addClass('fa-' + icon));
  },

  errorText: function (xhr) {
    // The API's own message (the panel passes its error body and status through).
    var data = xhr.responseJSON;
    if (!data || typeof data !== 'object') {
      return xhr.status
        ? interpolate(gettext('the dashboard answered HTTP %(status)s %(reason)s'),
                      {status: xhr.status, reason: xhr.statusText || ''}, true).trim()
        : gettext('the dashboard could not be reached');
    }
    if (data.fields) {
      return data.detail + ' ' + JSON.stringify(data.fields);
    }
    return data.detail || JSON.stringify(data);
  }
};

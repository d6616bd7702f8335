/* The wizard's state, one object per page, which the other parts read and change.
 *
 * The server reads two hidden fields from it: `nics` ([{network_id, fixed_ip, tag}] in NIC
 * order) and `carriers` (one entry per NIC: null, {port}, or {bond: {...}} exactly as the REST
 * API's launch body takes them). What the page shows of them is what they hold: a carrier the
 * form cannot show yet (the node's ports or the bonding modes still loading, or unloadable) is
 * kept as it was, and shown as soon as it can be.
 *
 * Everything else comes from the server, through the panel's own URLs (the page's data-*
 * attributes: they carry the dashboard's WEBROOT).
 */
horizon.multinic.Wizard = function ($root) {
  var wizard = this;
  this.$root = $root;
  this.$form = $root.find('form');
  this.$nicsField = this.$form.find('input[name="nics"]');
  this.$carriersField = this.$form.find('input[name="carriers"]');
  this.$nodeField = this.$form.find('select[name="node"]');
  this.networks = JSON.parse($('#multinic-networks-data').text() || '[]');
  this.networkById = {};
  this.modes = null;           // the bonding modes, once loaded
  this.modesError = null;      // why they could not be loaded
  this.modeByName = {};
  this.inventory = null;       // {uuid, ports, port_groups} of the chosen node, once loaded
  this.inventoryError = null;  // why it could not be loaded
  this.inventorySeq = 0;
  this.nics = [];              // [{network_id, fixed_ip, tag, carrier, pending}]
  this.previewTimer = null;
  this.previewSeq = 0;         // the latest preview asked for: older answers are dropped
  this.networks.forEach(function (n) { wizard.networkById[n.id] = n; });
};

horizon.multinic.Wizard.readJson = function ($field) {
  try {
    var value = JSON.parse($field.val() || '[]');
    return Array.isArray(value) ? value : [];
  } catch (e) {
    return [];
  }
};

horizon.multinic.Wizard.prototype = {
  restore: function () {
    // What the server sent back (a launch it refused): the NICs, each with the carrier it
    // asked for kept as `pending` until the node's ports arrive to rebuild it.
    var wizard = this;
    var readJson = horizon.multinic.Wizard.readJson;
    var carriers = readJson(this.$carriersField);
    readJson(this.$nicsField).forEach(function (nic, index) {
      if (wizard.networkById[nic.network_id]) {
        wizard.nics.push({network_id: nic.network_id, fixed_ip: String(nic.fixed_ip || ''),
                          tag: String(nic.tag || ''), carrier: null,
                          pending: carriers[index] || null});
      }
    });
  },

  selectedNodeId: function () {
    return this.$nodeField.val() || '';
  },

  currentNode: function () {
    // The chosen node's ports and port groups, when they have arrived.
    return this.inventory && this.inventory.uuid === this.selectedNodeId()
      ? this.inventory : null;
  },

  nicCarrier: function (nic) {
    // What this NIC asks to be carried by: the launch body's port/bond keys, or null.
    if (!this.selectedNodeId()) {
      return null;
    }
    return nic.pending !== undefined ? nic.pending
      : horizon.multinic.carriers.request(this, nic.carrier);
  },

  save: function () {
    this.$nicsField.val(JSON.stringify(this.nics.map(function (nic) {
      return {network_id: nic.network_id, fixed_ip: nic.fixed_ip, tag: nic.tag};
    })));
    this.$carriersField.val(JSON.stringify(this.nics.map(this.nicCarrier, this)));
  },

  changed: function () {
    this.save();
    horizon.multinic.preview.schedule(this);
  }
};

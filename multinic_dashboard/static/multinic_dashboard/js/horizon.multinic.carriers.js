/* What carries each NIC on a bare-metal node: a port, a port group, or a new bond of ports;
 * as the form holds it ({kind, port, group, ports, mode, options, extra, unsplit}) and as the
 * launch body asks for it (carriers.request). The node's ports and port groups and the bonding
 * modes (which options a mode allows, with their defaults and help) come from the panel's
 * views; loading them is here too.
 */
horizon.multinic.carriers = {
  inUse: function (item) {
    return !!item.vif_uuid;
  },

  portLabel: function (port) {
    return port.mac + ' (' + (port.physical_network || gettext('no physical network')) +
      (port.pxe_enabled ? ', PXE' : '') + ')';
  },

  groupName: function (node, uuid) {
    var group = node.port_groups.filter(function (g) { return g.uuid === uuid; })[0];
    return group ? group.name : uuid;
  },

  membersOf: function (node, carrier) {
    if (carrier.kind === 'group') {
      var group = node.port_groups.filter(function (g) { return g.uuid === carrier.group; })[0];
      var ids = group ? group.ports : [];
      return node.ports.filter(function (p) { return ids.indexOf(p.uuid) >= 0; });
    }
    return node.ports.filter(function (p) { return carrier.ports.indexOf(p.uuid) >= 0; });
  },

  request: function (wizard, carrier) {
    if (!carrier || carrier.kind === 'auto' || !wizard.selectedNodeId()) {
      return null;
    }
    if (carrier.kind === 'port') {
      return {port: carrier.port};
    }
    var bond = {mode: carrier.mode,
                properties: horizon.multinic.carriers.properties(wizard, carrier)};
    if (carrier.kind === 'group') {
      bond.port_group = carrier.group;
    } else {
      bond.ports = carrier.ports.slice();
    }
    return {bond: bond};
  },

  typed: function (value, kind) {
    if (kind === 'integer' && /^\s*\d+\s*$/.test(value)) {
      return parseInt(value, 10);
    }
    if (kind === 'ipv4_list') {
      return value.split(/[\s,]+/).filter(function (v) { return v; });
    }
    return value;
  },

  properties: function (wizard, carrier) {
    var typed = horizon.multinic.carriers.typed;
    if (carrier.unsplit) {
      // Not yet sorted into the mode's fields (the modes have not arrived, or could not be
      // loaded): sent exactly as they came.
      return $.extend({}, carrier.unsplit);
    }
    var properties = {};
    var mode = wizard.modeByName[carrier.mode];
    Object.keys(carrier.options).forEach(function (name) {
      var value = carrier.options[name];
      var option = mode && mode.options.filter(function (o) { return o.name === name; })[0];
      // Only the chosen mode's fields are sent: a field left from another mode is gone.
      if (option && value !== '' && value !== null && value !== undefined) {
        properties[name] = typed(String(value), option.kind);
      }
    });
    carrier.extra.forEach(function (row) {
      if (row.key) {
        properties[row.key] = typed(row.value, /^\d+$/.test(row.value) ? 'integer' : '');
      }
    });
    return properties;
  },

  defaultMode: function (wizard) {
    var preferred = (wizard.modes || []).filter(function (m) { return m.default; })[0];
    return preferred ? preferred.name : null;
  },

  optionDefaults: function (wizard, modeName) {
    var options = {};
    var mode = wizard.modeByName[modeName];
    (mode ? mode.options : []).forEach(function (o) {
      if (o.default !== null && o.default !== undefined) {
        options[o.name] = String(o.default);
      }
    });
    return options;
  },

  create: function (wizard, kind, extra) {
    var carriers = horizon.multinic.carriers;
    var carrier = $.extend({kind: kind, port: null, group: null, ports: [],
                            mode: carriers.defaultMode(wizard), options: {}, extra: [],
                            unsplit: null},
                           extra || {});
    if (kind === 'bond' && !extra) {
      carrier.options = carriers.optionDefaults(wizard, carrier.mode);
    }
    return carrier;
  },

  ofGroup: function (wizard, group, mode, properties) {
    return horizon.multinic.carriers.create(wizard, 'group', {
      group: group.uuid, mode: mode || group.mode,
      unsplit: $.extend({}, properties || group.properties || {})});
  },

  split: function (wizard, carrier) {
    // Into the mode's own fields and the "other properties" rows, once the modes are known.
    var mode = wizard.modeByName[carrier.mode];
    var known = {};
    (mode ? mode.options : []).forEach(function (o) { known[o.name] = o; });
    var properties = carrier.unsplit || {};
    carrier.options = {};
    carrier.extra = [];
    carrier.unsplit = null;
    Object.keys(properties).forEach(function (key) {
      var value = properties[key];
      var text = Array.isArray(value) ? value.join(', ') : String(value);
      if (known[key]) {
        carrier.options[key] = text;
      } else {
        carrier.extra.push({key: key, value: text});
      }
    });
  },

  splitAll: function (wizard) {
    if (!wizard.modes) {
      return;
    }
    wizard.nics.forEach(function (nic) {
      if (nic.carrier && nic.carrier.unsplit) {
        horizon.multinic.carriers.split(wizard, nic.carrier);
      }
    });
  },

  restore: function (wizard) {
    // The carriers the hidden field held, rebuilt on the node's ports and groups, exactly:
    // one the node does not list (any more) is shown as such, not dropped.
    var carriers = horizon.multinic.carriers;
    var node = wizard.currentNode();
    wizard.nics.forEach(function (nic) {
      var request = nic.pending;
      delete nic.pending;
      if (!request || !node) {
        return;
      }
      if (request.port) {
        nic.carrier = carriers.create(wizard, 'port', {port: request.port});
      } else if (request.bond && request.bond.port_group) {
        var group = node.port_groups.filter(function (g) {
          return g.uuid === request.bond.port_group || g.name === request.bond.port_group;
        })[0] || {uuid: request.bond.port_group, mode: null, properties: {}};
        nic.carrier = carriers.ofGroup(wizard, group, request.bond.mode,
                                       request.bond.properties);
      } else if (request.bond) {
        nic.carrier = carriers.create(wizard, 'bond', {
          ports: (request.bond.ports || []).slice(),
          mode: request.bond.mode || carriers.defaultMode(wizard),
          unsplit: $.extend({}, request.bond.properties)});
      }
    });
    carriers.splitAll(wizard);
  },

  takenElsewhere: function (wizard, index) {
    // Ports and groups another NIC of this launch already asked for.
    var taken = {};
    wizard.nics.forEach(function (nic, i) {
      var c = nic.carrier;
      if (i === index || !c) {
        return;
      }
      if (c.kind === 'port') { taken[c.port] = true; }
      if (c.kind === 'group') { taken[c.group] = true; }
      if (c.kind === 'bond') { c.ports.forEach(function (p) { taken[p] = true; }); }
    });
    return taken;
  },

  loadInventory: function (wizard) {
    var nodeId = wizard.selectedNodeId();
    var seq = ++wizard.inventorySeq;
    var render = horizon.multinic.bonding.render;
    wizard.inventory = null;
    wizard.inventoryError = null;
    render(wizard);
    if (!nodeId) {
      return;
    }
    $.ajax({url: wizard.$root.data('carriers-url'), data: {node: nodeId}, dataType: 'json'})
      .done(function (data) {
        if (seq !== wizard.inventorySeq) { return; }
        wizard.inventory = {uuid: nodeId, ports: data.ports || [],
                            port_groups: data.port_groups || []};
        horizon.multinic.carriers.restore(wizard);
        render(wizard);
        wizard.changed();
      }).fail(function (xhr) {
        if (seq !== wizard.inventorySeq) { return; }
        wizard.inventoryError = horizon.multinic.errorText(xhr);
        render(wizard);
      });
  },

  loadModes: function (wizard) {
    var render = horizon.multinic.bonding.render;
    $.ajax({url: wizard.$root.data('bonding-modes-url'), dataType: 'json'}).done(function (data) {
      if (!Array.isArray(data) || !data.length) {
        wizard.modesError = gettext('the answer holds no bonding mode');
      } else {
        wizard.modes = data;
        wizard.modes.forEach(function (m) { wizard.modeByName[m.name] = m; });
        horizon.multinic.carriers.splitAll(wizard);
      }
      render(wizard);
      wizard.changed();
    }).fail(function (xhr) {
      wizard.modesError = horizon.multinic.errorText(xhr);
      render(wizard);
    });
  }
};

/* The Bonding step: for each NIC, what carries it on the chosen node (automatic, a port, a
 * port group, or a new bond of ports) and, for a bond, its member ports, mode and options.
 * The modes and their options are the API's (horizon.multinic.carriers loads them); without
 * them the step says why and offers no mode it could not load.
 */
horizon.multinic.bonding = {
  carrierSelect: function (wizard, node, nic, index) {
    var carriers = horizon.multinic.carriers;
    var taken = carriers.takenElsewhere(wizard, index);
    var c = nic.carrier || {kind: 'auto'};
    var inUse = gettext(': in use');
    var $select = $('<select class="form-control carrier-kind"></select>')
      .attr('id', 'carrier-kind-' + index)
      .append($('<option value="auto"></option>')
        .text(gettext('Automatic: the best free port or port group')));
    var $ports = $('<optgroup></optgroup>').attr('label', gettext('Ports'));
    node.ports.forEach(function (port) {
      $ports.append($('<option></option>').val('port:' + port.uuid)
        .text(interpolate(gettext('Port %(port)s'), {port: carriers.portLabel(port)}, true) +
              (carriers.inUse(port) ? inUse : ''))
        .prop('disabled', carriers.inUse(port) || !!taken[port.uuid]));
    });
    var $groups = $('<optgroup></optgroup>').attr('label', gettext('Port groups'));
    node.port_groups.forEach(function (group) {
      $groups.append($('<option></option>').val('group:' + group.uuid)
        .text(interpolate(gettext('Port group %(name)s (%(mode)s, %(count)s ports)'),
                          {name: group.name, mode: group.mode, count: group.ports.length},
                          true) +
              (carriers.inUse(group) ? inUse : ''))
        .prop('disabled', carriers.inUse(group) || !!taken[group.uuid]));
    });
    // A new bond needs a mode, chosen from the modes the API gave: none loaded, none offered.
    var $bond = $('<option value="bond"></option>')
      .prop('disabled', !wizard.modes && c.kind !== 'bond')
      .text(wizard.modesError
        ? gettext('New bond of ports (unavailable: the bonding modes could not be loaded)')
        : gettext('New bond of ports...'));
    $select.append($ports, $groups, $bond);
    var value = c.kind === 'port' ? 'port:' + c.port
      : c.kind === 'group' ? 'group:' + c.group : c.kind;
    if (!$select.find('option').filter(function () { return this.value === value; }).length) {
      // Asked for, but not on this node (any more): shown, so that what is sent is seen.
      $select.append($('<option></option>').val(value).text(c.kind === 'port'
        ? interpolate(gettext('Port %(port)s: not on this node'), {port: c.port}, true)
        : interpolate(gettext('Port group %(group)s: not on this node'), {group: c.group},
                      true)));
    }
    $select.val(value);
    return $select;
  },

  optionField: function (option, carrier, index, members) {
    var id = 'bond-' + index + '-' + option.name;
    var value = carrier.options[option.name];
    var $input;
    if (option.kind === 'choice') {
      $input = $('<select class="form-control bond-option"></select>')
        .append($('<option value=""></option>').text(gettext('(kernel default)')));
      option.choices.forEach(function (choice) {
        $input.append($('<option></option>').val(choice).text(choice));
      });
    } else if (option.kind === 'member') {
      $input = $('<select class="form-control bond-option"></select>')
        .append($('<option value=""></option>').text(gettext('(none)')));
      members.forEach(function (port) {
        $input.append($('<option></option>').val(port.uuid)
          .text(horizon.multinic.carriers.portLabel(port)));
      });
    } else {
      $input = $('<input type="text" class="form-control bond-option">');
      if (option.kind === 'integer') {
        $input.attr({inputmode: 'numeric'});
      }
      if (option.kind === 'ipv4_list') {
        $input.attr('placeholder', '192.0.2.1, 192.0.2.2');
      }
    }
    $input.attr({id: id, name: 'bond-option-' + option.name, 'data-option': option.name})
      .val(value === undefined ? '' : value);
    var label = option.name + (option.unit ? ' (' + option.unit + ')' : '');
    var needs = option.requires.length
      ? ' ' + interpolate(gettext('Needs %(options)s.'),
                          {options: option.requires.join(', ')}, true) : '';
    return $('<div class="form-group bond-option-group"></div>')
      .attr('data-option', option.name)
      .append($('<label class="control-label"></label>').attr('for', id).text(label), $input,
        $('<p class="help-block option-help small"></p>').text(option.help + needs));
  },

  unsplitState: function (wizard, carrier) {
    // Without the modes (still loading, or unloadable): what the bond will be sent with.
    var $state = $('<div class="bond-unsplit"></div>');
    if (wizard.modesError) {
      $state.append($('<div class="alert multinic-error bond-modes-error" role="alert">')
        .text(interpolate(gettext('The bonding modes could not be loaded: %(why)s'),
                          {why: wizard.modesError}, true)));
    } else {
      $state.append($('<p class="text-muted"></p>')
        .text(gettext('Loading the bonding modes...')));
    }
    if (carrier.mode || !$.isEmptyObject(carrier.unsplit || {})) {
      $state.append($('<p class="bond-as-sent"></p>').text(
        interpolate(gettext('Sent as: mode %(mode)s, properties %(properties)s'),
                    {mode: carrier.mode || gettext('(the default)'),
                     properties: JSON.stringify(carrier.unsplit || {})}, true)));
    }
    return $state;
  },

  extraRows: function (carrier) {
    // Properties the mode has no field for: passed on as typed, for the launch to judge.
    var $extra = $('<div class="bond-extra"></div>').append($('<p class="small"></p>')
      .text(gettext('Other properties (passed to the node as they are; the launch checks ' +
                    'them):')));
    carrier.extra.forEach(function (row, rowIndex) {
      $extra.append($('<div class="form-inline bond-extra-row"></div>')
        .attr('data-row', rowIndex).append(
          $('<input type="text" class="form-control input-sm bond-extra-key">')
            .attr({placeholder: gettext('Property name'),
                   'aria-label': gettext('Property name')})
            .val(row.key),
          ' = ',
          $('<input type="text" class="form-control input-sm bond-extra-value">')
            .attr({placeholder: gettext('Value'), 'aria-label': gettext('Property value')})
            .val(row.value),
          ' ', horizon.multinic.iconButton('remove-extra', 'times',
                                           gettext('Remove property'))));
    });
    return $extra.append(
      $('<button type="button" class="btn btn-default btn-xs add-extra"></button>')
        .append('<span class="fa fa-plus"></span> ',
                $('<span></span>').text(gettext('Add property'))));
  },

  modeFields: function (wizard, node, carrier, index) {
    // The mode and its options, from the modes the API gave.
    var bonding = horizon.multinic.bonding;
    if (!wizard.modes) {
      return bonding.unsplitState(wizard, carrier);
    }
    var modeId = 'bond-' + index + '-mode';
    var $fields = $('<div class="bond-mode-fields"></div>');
    var $mode = $('<select class="form-control bond-mode"></select>').attr('id', modeId);
    wizard.modes.forEach(function (m) {
      $mode.append($('<option></option>').val(m.name).text(m.name));
    });
    if (carrier.mode && !wizard.modeByName[carrier.mode]) {
      // A mode the API does not know (it will say so): shown as what is sent.
      $mode.append($('<option></option>').val(carrier.mode)
        .text(interpolate(gettext('%(mode)s (not a bonding mode)'), {mode: carrier.mode},
                          true)));
    }
    $mode.val(carrier.mode);
    var mode = wizard.modeByName[carrier.mode];
    $fields.append($('<div class="form-group"></div>').append(
      $('<label class="control-label"></label>').attr('for', modeId)
        .text(gettext('Bonding mode')),
      $mode,
      $('<p class="help-block mode-help"></p>').text(mode
        ? mode.summary + ' ' + interpolate(gettext('Switch: %(needs)s'),
                                           {needs: mode.switch_help}, true)
        : '')));
    var members = horizon.multinic.carriers.membersOf(node, carrier);
    var $options = $('<div class="bond-options"></div>');
    (mode ? mode.options : []).forEach(function (option) {
      $options.append(bonding.optionField(option, carrier, index, members));
    });
    return $fields.append($options, bonding.extraRows(carrier));
  },

  memberPorts: function (wizard, node, carrier, index) {
    var carriers = horizon.multinic.carriers;
    var taken = carriers.takenElsewhere(wizard, index);
    var $members = $('<fieldset class="bond-members"></fieldset>')
      .append($('<legend class="h5"></legend>').text(gettext('Member ports')));
    node.ports.forEach(function (port) {
      var id = 'bond-' + index + '-port-' + port.uuid;
      // A port already in a port group is that group's: bond the group instead.
      var unavailable = carriers.inUse(port) || !!taken[port.uuid] || !!port.port_group_uuid;
      var chosen = carrier.ports.indexOf(port.uuid) >= 0;
      $members.append($('<div class="checkbox"></div>').append(
        $('<label></label>').attr('for', id).append(
          $('<input type="checkbox" class="bond-port">').attr('id', id).val(port.uuid)
            .prop('checked', chosen).prop('disabled', unavailable && !chosen),
          // Text, never markup: a physical network's name is whatever an admin typed.
          $('<span></span>').text(' ' + carriers.portLabel(port) +
            (carriers.inUse(port) ? gettext(': in use') : '') +
            (port.port_group_uuid
              ? interpolate(gettext(': in port group %(group)s'),
                            {group: carriers.groupName(node, port.port_group_uuid)}, true)
              : '')))));
    });
    var known = node.ports.map(function (p) { return p.uuid; });
    carrier.ports.filter(function (p) { return known.indexOf(p) < 0; }).forEach(function (p) {
      $members.append($('<p class="text-danger bond-unknown-port"></p>')
        .text(interpolate(gettext('Port %(port)s: not on this node'), {port: p}, true)));
    });
    return $members;
  },

  render: function (wizard) {
    var bonding = horizon.multinic.bonding;
    var node = wizard.currentNode();
    var nodeId = wizard.selectedNodeId();
    var $list = $('#bonding-nics').empty();
    $('#bonding-no-node').toggleClass('hide', !!nodeId);
    $('#bonding-loading').toggleClass('hide', !nodeId || !!node || !!wizard.inventoryError);
    $('#bonding-carriers-error').toggleClass('hide', !nodeId || !wizard.inventoryError)
      .text(wizard.inventoryError
        ? interpolate(gettext('The ports of this node could not be loaded: %(why)s'),
                      {why: wizard.inventoryError}, true) : '');
    $('#bonding-modes-error').toggleClass('hide', !wizard.modesError)
      .text(wizard.modesError
        ? interpolate(gettext('The bonding modes could not be loaded: %(why)s'),
                      {why: wizard.modesError}, true) : '');
    if (!node) {
      return;
    }
    if (!wizard.nics.length) {
      $list.append($('<p class="text-muted"></p>')
        .text(gettext('Add networks on the Networks step first: each NIC needs a carrier.')));
      return;
    }
    wizard.nics.forEach(function (nic, index) {
      var network = wizard.networkById[nic.network_id];
      var $panel = $('<div class="panel panel-default nic-carrier"></div>')
        .attr('data-index', index);
      var $body = $('<div class="panel-body"></div>').append(
        $('<div class="form-group"></div>').append(
          $('<label class="control-label"></label>').attr('for', 'carrier-kind-' + index)
            .text(gettext('Carried by')),
          bonding.carrierSelect(wizard, node, nic, index)));
      var carrier = nic.carrier;
      if (carrier && (carrier.kind === 'group' || carrier.kind === 'bond')) {
        var $form = $('<div class="bond-form"></div>');
        if (carrier.kind === 'bond') {
          $form.append(bonding.memberPorts(wizard, node, carrier, index));
        }
        $body.append($form.append(bonding.modeFields(wizard, node, carrier, index)));
      }
      $panel.append($('<div class="panel-heading"></div>').append(
        $('<span class="label label-primary nic-name"></span>').text('eth' + index), ' ',
        $('<strong></strong>').text(network.name)), $body);
      $list.append($panel);
    });
  },

  bind: function (wizard) {
    var carriers = horizon.multinic.carriers;
    var render = horizon.multinic.bonding.render;
    var $bonding = $('#bonding-nics');

    function nicOf(element) {
      return wizard.nics[Number($(element).closest('.nic-carrier').attr('data-index'))];
    }

    $bonding.on('change', '.carrier-kind', function () {
      var nic = nicOf(this);
      var value = $(this).val();
      var node = wizard.currentNode();
      if (value.indexOf('port:') === 0) {
        nic.carrier = carriers.create(wizard, 'port', {port: value.slice(5)});
      } else if (value.indexOf('group:') === 0) {
        var group = node.port_groups.filter(function (g) {
          return g.uuid === value.slice(6);
        })[0];
        nic.carrier = carriers.ofGroup(wizard, group);
        carriers.splitAll(wizard);
      } else if (value === 'bond') {
        nic.carrier = carriers.create(wizard, 'bond');
      } else {
        nic.carrier = null;
      }
      render(wizard);
      $('#carrier-kind-' + $(this).closest('.nic-carrier').attr('data-index')).trigger('focus');
      wizard.changed();
    });
    $bonding.on('change', '.bond-port', function () {
      var nic = nicOf(this);
      var ports = [];
      $(this).closest('.bond-members').find('.bond-port:checked').each(function () {
        ports.push($(this).val());
      });
      nic.carrier.ports = ports;
      var focusId = $(this).attr('id');
      render(wizard);
      $('#' + focusId.replace(/([:.])/g, '\\$1')).trigger('focus');
      wizard.changed();
    });
    $bonding.on('change', '.bond-mode', function () {
      var nic = nicOf(this);
      var previous = wizard.modeByName[nic.carrier.mode];
      nic.carrier.mode = $(this).val();
      // Keep what the new mode also allows; fill the new mode's defaults for the rest.
      var kept = {};
      var defaults = carriers.optionDefaults(wizard, nic.carrier.mode);
      (wizard.modeByName[nic.carrier.mode] || {options: []}).options.forEach(function (o) {
        if (nic.carrier.options[o.name] !== undefined && previous) {
          kept[o.name] = nic.carrier.options[o.name];
        } else if (defaults[o.name] !== undefined) {
          kept[o.name] = defaults[o.name];
        }
      });
      nic.carrier.options = kept;
      var id = $(this).attr('id');
      render(wizard);
      $('#' + id).trigger('focus');
      wizard.changed();
    });
    $bonding.on('input change', '.bond-option', function () {
      nicOf(this).carrier.options[$(this).attr('data-option')] = $(this).val().trim();
      wizard.changed();
    });
    $bonding.on('click', '.add-extra', function () {
      nicOf(this).carrier.extra.push({key: '', value: ''});
      var index = $(this).closest('.nic-carrier').attr('data-index');
      render(wizard);
      $('.nic-carrier[data-index="' + index + '"] .bond-extra-key').last().trigger('focus');
    });
    $bonding.on('click', '.remove-extra', function () {
      var nic = nicOf(this);
      nic.carrier.extra.splice(Number($(this).closest('.bond-extra-row').attr('data-row')), 1);
      render(wizard);
      wizard.changed();
    });
    $bonding.on('input', '.bond-extra-key, .bond-extra-value', function () {
      var row = nicOf(this).carrier.extra[
        Number($(this).closest('.bond-extra-row').attr('data-row'))];
      row[$(this).hasClass('bond-extra-key') ? 'key' : 'value'] = $(this).val().trim();
      wizard.changed();
    });
    wizard.$nodeField.on('change', function () {
      // Another node has other ports: what was chosen on the previous one does not carry over.
      wizard.nics.forEach(function (nic) { nic.carrier = null; delete nic.pending; });
      carriers.loadInventory(wizard);
      wizard.changed();
    });
  }
};

/* The launch wizard's dynamic parts: the ordered NIC list, the bonding form and the live
 * config-drive preview.
 *
 * The server reads two hidden fields from this: `nics` ([{network_id, fixed_ip, tag}] in NIC
 * order) and `carriers` (one entry per NIC: null, {port}, or {bond: {...}} exactly as the REST
 * API's launch body takes them). What the page shows of them is what they hold: a carrier the
 * form cannot show yet (the node's ports or the bonding modes still loading, or unloadable) is
 * kept as it was, and shown as soon as it can be.
 *
 * Everything else comes from the server, through the panel's own URLs (the page's data-*
 * attributes: they carry the dashboard's WEBROOT): the node's ports and port groups, which
 * options a bonding mode allows with their defaults and help, and whether a combination is
 * valid (the preview, which runs the real launch and rolls it back). Every visible string goes
 * through Horizon's gettext.
 */
(function ($) {
  'use strict';

  var PREVIEW_DELAY_MS = 350;

  function t(text, values) {
    var translated = window.gettext ? window.gettext(text) : text;
    return values && window.interpolate ? window.interpolate(translated, values, true)
      : translated;
  }

  function start() {
    var $root = $('.multinic-launch');
    if (!$root.length || $root.data('multinic-started')) {
      return;
    }
    $root.data('multinic-started', true);

    var $form = $root.find('form');
    var $nicsField = $form.find('input[name="nics"]');
    var $carriersField = $form.find('input[name="carriers"]');
    var $nodeField = $form.find('select[name="node"]');
    var networks = JSON.parse($('#multinic-networks-data').text() || '[]');
    var networkById = {};
    var modes = null;           // the bonding modes, once loaded
    var modesError = null;      // why they could not be loaded
    var modeByName = {};
    var inventory = null;       // {uuid, ports, port_groups} of the chosen node, once loaded
    var inventoryError = null;  // why it could not be loaded
    var inventorySeq = 0;
    var nics = [];              // [{network_id, fixed_ip, tag, carrier, pending}]
    var previewTimer = null;
    var previewSeq = 0;

    networks.forEach(function (n) { networkById[n.id] = n; });

    // --- state <-> hidden fields -----------------------------------------------------------

    function readJson($field) {
      try {
        var value = JSON.parse($field.val() || '[]');
        return Array.isArray(value) ? value : [];
      } catch (e) {
        return [];
      }
    }

    function restore() {
      // What the server sent back (a launch it refused): the NICs, each with the carrier it
      // asked for kept as `pending` until the node's ports arrive to rebuild it.
      var carriers = readJson($carriersField);
      readJson($nicsField).forEach(function (nic, index) {
        if (networkById[nic.network_id]) {
          nics.push({network_id: nic.network_id, fixed_ip: String(nic.fixed_ip || ''),
                     tag: String(nic.tag || ''), carrier: null,
                     pending: carriers[index] || null});
        }
      });
    }

    function nicCarrier(nic) {
      // What this NIC asks to be carried by: the launch body's port/bond keys, or null.
      if (!selectedNodeId()) {
        return null;
      }
      return nic.pending !== undefined ? nic.pending : carrierRequest(nic.carrier);
    }

    function save() {
      $nicsField.val(JSON.stringify(nics.map(function (nic) {
        return {network_id: nic.network_id, fixed_ip: nic.fixed_ip, tag: nic.tag};
      })));
      $carriersField.val(JSON.stringify(nics.map(nicCarrier)));
    }

    function changed() {
      save();
      schedulePreview();
    }

    // --- the NIC list ------------------------------------------------------------------------

    var $selected = $('#selected-networks');

    function button(cls, icon, label, disabled) {
      return $('<button type="button" class="btn btn-default btn-xs"></button>')
        .addClass(cls).attr('aria-label', label).attr('title', label)
        .prop('disabled', !!disabled)
        .append($('<span class="fa"></span>').addClass('fa-' + icon));
    }

    function renderNics(focus) {
      $selected.empty();
      nics.forEach(function (nic, index) {
        var network = networkById[nic.network_id];
        var name = 'eth' + index;
        var $item = $('<li class="list-group-item nic"></li>').attr('data-index', index)
          .attr('data-network-id', nic.network_id);
        var $buttons = $('<div class="btn-group pull-right"></div>').append(
          button('move-up', 'arrow-up', t('Move %(nic)s up', {nic: name}), index === 0),
          button('move-down', 'arrow-down', t('Move %(nic)s down', {nic: name}),
                 index === nics.length - 1),
          button('remove-network', 'times', t('Remove %(nic)s', {nic: name})));
        $item.append($buttons,
          $('<span class="fa fa-grip-vertical text-muted drag-handle" aria-hidden="true"></span> '),
          $('<span class="label label-primary nic-name"></span>').text(name),
          $('<strong class="network-name"></strong>').text(network.name),
          $('<small class="text-muted"></small>').text('  ' + network.subnets.join(', ')));
        var $fields = $('<div class="nic-fields"></div>').append(
          $('<input type="text" class="form-control input-sm nic-fixed-ip">')
            .attr('placeholder', t('Fixed IP (optional)'))
            .attr('aria-label', t('Fixed IP address of %(nic)s', {nic: name})).val(nic.fixed_ip),
          ' ',
          $('<input type="text" class="form-control input-sm nic-tag">')
            .attr('placeholder', t('Device tag (optional)'))
            .attr('aria-label', t('Device tag of %(nic)s', {nic: name})).val(nic.tag));
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
      renderCarriers();
    }

    function move(from, to) {
      var nic = nics.splice(from, 1)[0];
      nics.splice(to, 0, nic);
    }

    $root.on('click', '.add-network', function () {
      var id = $(this).closest('.available-network').data('network-id');
      nics.push({network_id: String(id), fixed_ip: '', tag: '', carrier: null});
      renderNics();
      changed();
    });
    $selected.on('click', '.move-up, .move-down', function () {
      var index = Number($(this).closest('li.nic').attr('data-index'));
      var up = $(this).hasClass('move-up');
      var to = up ? index - 1 : index + 1;
      if (to < 0 || to >= nics.length) {
        return;
      }
      move(index, to);
      renderNics({index: to, cls: up ? 'move-up' : 'move-down'});
      changed();
    });
    $selected.on('click', '.remove-network', function () {
      var index = Number($(this).closest('li.nic').attr('data-index'));
      nics.splice(index, 1);
      renderNics(nics.length ? {index: Math.min(index, nics.length - 1), cls: 'remove-network'}
                             : null);
      changed();
    });
    $selected.on('input', '.nic-fixed-ip, .nic-tag', function () {
      var nic = nics[Number($(this).closest('li.nic').attr('data-index'))];
      nic[$(this).hasClass('nic-tag') ? 'tag' : 'fixed_ip'] = $(this).val().trim();
      changed();
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
        nics = order.map(function (i) { return nics[i]; });
        renderNics();
        changed();
      }
    });

    // The wizard's Next cannot show an error on a hidden field; say it here.
    $form.on('click', '.button-next, .button-final', function () {
      if ($('#multinic-nics').is(':visible') && !nics.length) {
        $('#nics-error').text(t('At least one network must be specified.'))
          .removeClass('hide');
      }
    });

    // --- bonding ---------------------------------------------------------------------------

    function selectedNodeId() {
      return $nodeField.val() || '';
    }

    function currentNode() {
      // The chosen node's ports and port groups, when they have arrived.
      return inventory && inventory.uuid === selectedNodeId() ? inventory : null;
    }

    function inUse(item) {
      return !!item.vif_uuid;
    }

    function portLabel(port) {
      return port.mac + ' (' + (port.physical_network || t('no physical network')) +
        (port.pxe_enabled ? ', PXE' : '') + ')';
    }

    function carrierRequest(carrier) {
      if (!carrier || carrier.kind === 'auto' || !selectedNodeId()) {
        return null;
      }
      if (carrier.kind === 'port') {
        return {port: carrier.port};
      }
      var bond = {mode: carrier.mode, properties: carrierProperties(carrier)};
      if (carrier.kind === 'group') {
        bond.port_group = carrier.group;
      } else {
        bond.ports = carrier.ports.slice();
      }
      return {bond: bond};
    }

    function typed(value, kind) {
      if (kind === 'integer' && /^\s*\d+\s*$/.test(value)) {
        return parseInt(value, 10);
      }
      if (kind === 'ipv4_list') {
        return value.split(/[\s,]+/).filter(function (v) { return v; });
      }
      return value;
    }

    function carrierProperties(carrier) {
      if (carrier.unsplit) {
        // Not yet sorted into the mode's fields (the modes have not arrived, or could not be
        // loaded): sent exactly as they came.
        return $.extend({}, carrier.unsplit);
      }
      var properties = {};
      var mode = modeByName[carrier.mode];
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
    }

    function defaultMode() {
      var preferred = (modes || []).filter(function (m) { return m.default; })[0];
      return preferred ? preferred.name : null;
    }

    function optionDefaults(modeName) {
      var options = {};
      var mode = modeByName[modeName];
      (mode ? mode.options : []).forEach(function (o) {
        if (o.default !== null && o.default !== undefined) {
          options[o.name] = String(o.default);
        }
      });
      return options;
    }

    function newCarrier(kind, extra) {
      var carrier = $.extend({kind: kind, port: null, group: null, ports: [],
                              mode: defaultMode(), options: {}, extra: [], unsplit: null},
                             extra || {});
      if (kind === 'bond' && !extra) {
        carrier.options = optionDefaults(carrier.mode);
      }
      return carrier;
    }

    function groupCarrier(group, mode, properties) {
      return newCarrier('group', {group: group.uuid, mode: mode || group.mode,
                                  unsplit: $.extend({}, properties || group.properties || {})});
    }

    function splitProperties(carrier) {
      // Into the mode's own fields and the "other properties" rows, once the modes are known.
      var mode = modeByName[carrier.mode];
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
    }

    function splitAll() {
      if (!modes) {
        return;
      }
      nics.forEach(function (nic) {
        if (nic.carrier && nic.carrier.unsplit) {
          splitProperties(nic.carrier);
        }
      });
    }

    function restoreCarriers() {
      // The carriers the hidden field held, rebuilt on the node's ports and groups, exactly:
      // one the node does not list (any more) is shown as such, not dropped.
      var node = currentNode();
      nics.forEach(function (nic) {
        var request = nic.pending;
        delete nic.pending;
        if (!request || !node) {
          return;
        }
        if (request.port) {
          nic.carrier = newCarrier('port', {port: request.port});
        } else if (request.bond && request.bond.port_group) {
          var group = node.port_groups.filter(function (g) {
            return g.uuid === request.bond.port_group || g.name === request.bond.port_group;
          })[0] || {uuid: request.bond.port_group, mode: null, properties: {}};
          nic.carrier = groupCarrier(group, request.bond.mode, request.bond.properties);
        } else if (request.bond) {
          nic.carrier = newCarrier('bond', {ports: (request.bond.ports || []).slice(),
                                            mode: request.bond.mode || defaultMode(),
                                            unsplit: $.extend({}, request.bond.properties)});
        }
      });
      splitAll();
    }

    function takenElsewhere(index) {
      // Ports and groups another NIC of this launch already asked for.
      var taken = {};
      nics.forEach(function (nic, i) {
        var c = nic.carrier;
        if (i === index || !c) {
          return;
        }
        if (c.kind === 'port') { taken[c.port] = true; }
        if (c.kind === 'group') { taken[c.group] = true; }
        if (c.kind === 'bond') { c.ports.forEach(function (p) { taken[p] = true; }); }
      });
      return taken;
    }

    function carrierSelect(node, nic, index) {
      var taken = takenElsewhere(index);
      var c = nic.carrier || {kind: 'auto'};
      var $select = $('<select class="form-control carrier-kind"></select>')
        .attr('id', 'carrier-kind-' + index)
        .append($('<option value="auto"></option>')
          .text(t('Automatic: the best free port or port group')));
      var $ports = $('<optgroup></optgroup>').attr('label', t('Ports'));
      node.ports.forEach(function (port) {
        $ports.append($('<option></option>').val('port:' + port.uuid)
          .text(t('Port %(port)s', {port: portLabel(port)}) + (inUse(port) ? t(': in use') : ''))
          .prop('disabled', inUse(port) || !!taken[port.uuid]));
      });
      var $groups = $('<optgroup></optgroup>').attr('label', t('Port groups'));
      node.port_groups.forEach(function (group) {
        $groups.append($('<option></option>').val('group:' + group.uuid)
          .text(t('Port group %(name)s (%(mode)s, %(count)s ports)',
                  {name: group.name, mode: group.mode, count: group.ports.length}) +
                (inUse(group) ? t(': in use') : ''))
          .prop('disabled', inUse(group) || !!taken[group.uuid]));
      });
      // A new bond needs a mode, chosen from the modes the API gave: none loaded, none offered.
      var $bond = $('<option value="bond"></option>').prop('disabled', !modes && c.kind !== 'bond')
        .text(modesError ? t('New bond of ports (unavailable: the bonding modes could not be ' +
                             'loaded)') : t('New bond of ports...'));
      $select.append($ports, $groups, $bond);
      var value = c.kind === 'port' ? 'port:' + c.port
        : c.kind === 'group' ? 'group:' + c.group : c.kind;
      if (!$select.find('option').filter(function () { return this.value === value; }).length) {
        // Asked for, but not on this node (any more): shown, so that what is sent is seen.
        $select.append($('<option></option>').val(value).text(
          c.kind === 'port' ? t('Port %(port)s: not on this node', {port: c.port})
            : t('Port group %(group)s: not on this node', {group: c.group})));
      }
      $select.val(value);
      return $select;
    }

    function optionField(option, carrier, index, members) {
      var id = 'bond-' + index + '-' + option.name;
      var value = carrier.options[option.name];
      var $input;
      if (option.kind === 'choice') {
        $input = $('<select class="form-control bond-option"></select>')
          .append($('<option value=""></option>').text(t('(kernel default)')));
        option.choices.forEach(function (choice) {
          $input.append($('<option></option>').val(choice).text(choice));
        });
      } else if (option.kind === 'member') {
        $input = $('<select class="form-control bond-option"></select>')
          .append($('<option value=""></option>').text(t('(none)')));
        members.forEach(function (port) {
          $input.append($('<option></option>').val(port.uuid).text(portLabel(port)));
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
      return $('<div class="form-group bond-option-group"></div>')
        .attr('data-option', option.name)
        .append($('<label class="control-label"></label>').attr('for', id).text(label), $input,
          $('<p class="help-block option-help small"></p>').text(option.help +
            (option.requires.length ? ' ' + t('Needs %(options)s.',
                                               {options: option.requires.join(', ')}) : '')));
    }

    function groupName(node, uuid) {
      var group = node.port_groups.filter(function (g) { return g.uuid === uuid; })[0];
      return group ? group.name : uuid;
    }

    function membersOf(node, carrier) {
      if (carrier.kind === 'group') {
        var group = node.port_groups.filter(function (g) { return g.uuid === carrier.group; })[0];
        var ids = group ? group.ports : [];
        return node.ports.filter(function (p) { return ids.indexOf(p.uuid) >= 0; });
      }
      return node.ports.filter(function (p) { return carrier.ports.indexOf(p.uuid) >= 0; });
    }

    function modeFields(node, carrier, index) {
      // The mode and its options, from the modes the API gave; until then, or without them,
      // what the bond will be sent with, as it is.
      var modeId = 'bond-' + index + '-mode';
      if (!modes) {
        var $state = $('<div class="bond-unsplit"></div>');
        if (modesError) {
          $state.append($('<div class="alert multinic-error bond-modes-error" role="alert">')
            .text(t('The bonding modes could not be loaded: %(why)s', {why: modesError})));
        } else {
          $state.append($('<p class="text-muted"></p>').text(t('Loading the bonding modes...')));
        }
        if (carrier.mode || !$.isEmptyObject(carrier.unsplit || {})) {
          $state.append($('<p class="bond-as-sent"></p>').text(
            t('Sent as: mode %(mode)s, properties %(properties)s',
              {mode: carrier.mode || t('(the default)'),
               properties: JSON.stringify(carrier.unsplit || {})})));
        }
        return $state;
      }
      var $fields = $('<div class="bond-mode-fields"></div>');
      var $mode = $('<select class="form-control bond-mode"></select>').attr('id', modeId);
      modes.forEach(function (m) {
        $mode.append($('<option></option>').val(m.name).text(m.name));
      });
      if (carrier.mode && !modeByName[carrier.mode]) {
        // A mode the API does not know (it will say so): shown as what is sent.
        $mode.append($('<option></option>').val(carrier.mode)
          .text(t('%(mode)s (not a bonding mode)', {mode: carrier.mode})));
      }
      $mode.val(carrier.mode);
      var mode = modeByName[carrier.mode];
      $fields.append($('<div class="form-group"></div>').append(
        $('<label class="control-label"></label>').attr('for', modeId).text(t('Bonding mode')),
        $mode,
        $('<p class="help-block mode-help"></p>').text(
          mode ? mode.summary + ' ' + t('Switch: %(needs)s', {needs: mode.switch_help}) : '')));
      var members = membersOf(node, carrier);
      var $options = $('<div class="bond-options"></div>');
      (mode ? mode.options : []).forEach(function (option) {
        $options.append(optionField(option, carrier, index, members));
      });
      $fields.append($options);
      var $extra = $('<div class="bond-extra"></div>').append($('<p class="small"></p>')
        .text(t('Other properties (passed to the node as they are; the launch checks them):')));
      carrier.extra.forEach(function (row, rowIndex) {
        $extra.append($('<div class="form-inline bond-extra-row"></div>')
          .attr('data-row', rowIndex).append(
            $('<input type="text" class="form-control input-sm bond-extra-key">')
              .attr({placeholder: t('Property name'), 'aria-label': t('Property name')})
              .val(row.key),
            ' = ',
            $('<input type="text" class="form-control input-sm bond-extra-value">')
              .attr({placeholder: t('Value'), 'aria-label': t('Property value')})
              .val(row.value),
            ' ', button('remove-extra', 'times', t('Remove property'))));
      });
      $extra.append($('<button type="button" class="btn btn-default btn-xs add-extra"></button>')
        .append('<span class="fa fa-plus"></span> ', $('<span></span>')
          .text(t('Add property'))));
      $fields.append($extra);
      return $fields;
    }

    function bondForm(node, nic, index) {
      var carrier = nic.carrier;
      var taken = takenElsewhere(index);
      var $form = $('<div class="bond-form"></div>');
      if (carrier.kind === 'bond') {
        var $members = $('<fieldset class="bond-members"></fieldset>')
          .append($('<legend class="h5"></legend>').text(t('Member ports')));
        node.ports.forEach(function (port) {
          var id = 'bond-' + index + '-port-' + port.uuid;
          // A port already in a port group is that group's: bond the group instead.
          var unavailable = inUse(port) || !!taken[port.uuid] || !!port.port_group_uuid;
          $members.append($('<div class="checkbox"></div>').append(
            $('<label></label>').attr('for', id).append(
              $('<input type="checkbox" class="bond-port">').attr('id', id).val(port.uuid)
                .prop('checked', carrier.ports.indexOf(port.uuid) >= 0)
                .prop('disabled', unavailable && carrier.ports.indexOf(port.uuid) < 0),
              // Text, never markup: a physical network's name is whatever an admin typed.
              $('<span></span>').text(' ' + portLabel(port) + (inUse(port) ? t(': in use') : '') +
                (port.port_group_uuid ? t(': in port group %(group)s',
                                          {group: groupName(node, port.port_group_uuid)})
                                      : '')))));
        });
        var known = node.ports.map(function (p) { return p.uuid; });
        carrier.ports.filter(function (p) { return known.indexOf(p) < 0; }).forEach(function (p) {
          $members.append($('<p class="text-danger bond-unknown-port"></p>')
            .text(t('Port %(port)s: not on this node', {port: p})));
        });
        $form.append($members);
      }
      return $form.append(modeFields(node, carrier, index));
    }

    function renderCarriers() {
      var node = currentNode();
      var nodeId = selectedNodeId();
      var $list = $('#bonding-nics').empty();
      $('#bonding-no-node').toggleClass('hide', !!nodeId);
      $('#bonding-loading').toggleClass('hide', !nodeId || !!node || !!inventoryError);
      $('#bonding-carriers-error').toggleClass('hide', !nodeId || !inventoryError)
        .text(inventoryError ? t('The ports of this node could not be loaded: %(why)s',
                                 {why: inventoryError}) : '');
      $('#bonding-modes-error').toggleClass('hide', !modesError)
        .text(modesError ? t('The bonding modes could not be loaded: %(why)s',
                             {why: modesError}) : '');
      if (!node) {
        return;
      }
      if (!nics.length) {
        $list.append($('<p class="text-muted"></p>')
          .text(t('Add networks on the Networks step first: each NIC needs a carrier.')));
        return;
      }
      nics.forEach(function (nic, index) {
        var network = networkById[nic.network_id];
        var $panel = $('<div class="panel panel-default nic-carrier"></div>')
          .attr('data-index', index);
        var $body = $('<div class="panel-body"></div>').append(
          $('<div class="form-group"></div>').append(
            $('<label class="control-label"></label>').attr('for', 'carrier-kind-' + index)
              .text(t('Carried by')),
            carrierSelect(node, nic, index)));
        if (nic.carrier && (nic.carrier.kind === 'group' || nic.carrier.kind === 'bond')) {
          $body.append(bondForm(node, nic, index));
        }
        $panel.append($('<div class="panel-heading"></div>').append(
          $('<span class="label label-primary nic-name"></span>').text('eth' + index), ' ',
          $('<strong></strong>').text(network.name)), $body);
        $list.append($panel);
      });
    }

    function nicOf(element) {
      return nics[Number($(element).closest('.nic-carrier').attr('data-index'))];
    }

    var $bonding = $('#bonding-nics');
    $bonding.on('change', '.carrier-kind', function () {
      var nic = nicOf(this);
      var value = $(this).val();
      var node = currentNode();
      if (value.indexOf('port:') === 0) {
        nic.carrier = newCarrier('port', {port: value.slice(5)});
      } else if (value.indexOf('group:') === 0) {
        var group = node.port_groups.filter(function (g) {
          return g.uuid === value.slice(6);
        })[0];
        nic.carrier = groupCarrier(group);
        splitAll();
      } else if (value === 'bond') {
        nic.carrier = newCarrier('bond');
      } else {
        nic.carrier = null;
      }
      renderCarriers();
      $('#carrier-kind-' + $(this).closest('.nic-carrier').attr('data-index')).trigger('focus');
      changed();
    });
    $bonding.on('change', '.bond-port', function () {
      var nic = nicOf(this);
      var ports = [];
      $(this).closest('.bond-members').find('.bond-port:checked').each(function () {
        ports.push($(this).val());
      });
      nic.carrier.ports = ports;
      var focusId = $(this).attr('id');
      renderCarriers();
      $('#' + focusId.replace(/([:.])/g, '\\$1')).trigger('focus');
      changed();
    });
    $bonding.on('change', '.bond-mode', function () {
      var nic = nicOf(this);
      var previous = modeByName[nic.carrier.mode];
      nic.carrier.mode = $(this).val();
      // Keep what the new mode also allows; fill the new mode's defaults for the rest.
      var kept = {};
      var defaults = optionDefaults(nic.carrier.mode);
      (modeByName[nic.carrier.mode] || {options: []}).options.forEach(function (o) {
        if (nic.carrier.options[o.name] !== undefined && previous) {
          kept[o.name] = nic.carrier.options[o.name];
        } else if (defaults[o.name] !== undefined) {
          kept[o.name] = defaults[o.name];
        }
      });
      nic.carrier.options = kept;
      var id = $(this).attr('id');
      renderCarriers();
      $('#' + id).trigger('focus');
      changed();
    });
    $bonding.on('input change', '.bond-option', function () {
      nicOf(this).carrier.options[$(this).attr('data-option')] = $(this).val().trim();
      changed();
    });
    $bonding.on('click', '.add-extra', function () {
      nicOf(this).carrier.extra.push({key: '', value: ''});
      var index = $(this).closest('.nic-carrier').attr('data-index');
      renderCarriers();
      $('.nic-carrier[data-index="' + index + '"] .bond-extra-key').last().trigger('focus');
    });
    $bonding.on('click', '.remove-extra', function () {
      var nic = nicOf(this);
      nic.carrier.extra.splice(Number($(this).closest('.bond-extra-row').attr('data-row')), 1);
      renderCarriers();
      changed();
    });
    $bonding.on('input', '.bond-extra-key, .bond-extra-value', function () {
      var row = nicOf(this).carrier.extra[
        Number($(this).closest('.bond-extra-row').attr('data-row'))];
      row[$(this).hasClass('bond-extra-key') ? 'key' : 'value'] = $(this).val().trim();
      changed();
    });
    $nodeField.on('change', function () {
      // Another node has other ports: what was chosen on the previous one does not carry over.
      nics.forEach(function (nic) { nic.carrier = null; delete nic.pending; });
      loadInventory();
      changed();
    });

    // --- what the panel's views answer ---------------------------------------------------

    function errorText(xhr) {
      // The API's own message (the panel passes its error body and status through).
      var data = xhr.responseJSON;
      if (!data || typeof data !== 'object') {
        return xhr.status ? t('the dashboard answered HTTP %(status)s %(reason)s',
                              {status: xhr.status, reason: xhr.statusText || ''}).trim()
          : t('the dashboard could not be reached');
      }
      if (data.fields) {
        return data.detail + ' ' + JSON.stringify(data.fields);
      }
      return data.detail || JSON.stringify(data);
    }

    function loadInventory() {
      var nodeId = selectedNodeId();
      var seq = ++inventorySeq;
      inventory = null;
      inventoryError = null;
      renderCarriers();
      if (!nodeId) {
        return;
      }
      $.ajax({url: $root.data('carriers-url'), data: {node: nodeId}, dataType: 'json'})
        .done(function (data) {
          if (seq !== inventorySeq) { return; }
          inventory = {uuid: nodeId, ports: data.ports || [],
                       port_groups: data.port_groups || []};
          restoreCarriers();
          renderCarriers();
          changed();
        }).fail(function (xhr) {
          if (seq !== inventorySeq) { return; }
          inventoryError = errorText(xhr);
          renderCarriers();
        });
    }

    function loadModes() {
      $.ajax({url: $root.data('bonding-modes-url'), dataType: 'json'}).done(function (data) {
        if (!Array.isArray(data) || !data.length) {
          modesError = t('the answer holds no bonding mode');
        } else {
          modes = data;
          modes.forEach(function (m) { modeByName[m.name] = m; });
          splitAll();
        }
        renderCarriers();
        changed();
      }).fail(function (xhr) {
        modesError = errorText(xhr);
        renderCarriers();
      });
    }

    // --- the live preview ----------------------------------------------------------------

    function detailsValue(name) {
      var $field = $form.find('[name="' + name + '"]');
      return $field.is(':checkbox') ? $field.is(':checked') : ($field.val() || '');
    }

    function metadataFromText(text) {
      var metadata = {};
      text.split('\n').forEach(function (line) {
        var at = line.indexOf('=');
        if (at > 0) {
          metadata[line.slice(0, at).trim()] = line.slice(at + 1).trim();
        }
      });
      return metadata;
    }

    function base64(text) {
      var bytes = new TextEncoder().encode(text);
      var binary = '';
      bytes.forEach(function (b) { binary += String.fromCharCode(b); });
      return btoa(binary);
    }

    function launchBody() {
      // What the launch will post (the server builds the same from the hidden fields).
      var nodeId = selectedNodeId();
      var body = {
        name: detailsValue('name').trim() || 'new-instance',
        config_drive: detailsValue('config_drive'),
        metadata: metadataFromText(detailsValue('metadata')),
        nics: nics.map(function (nic) {
          var request = {network_id: nic.network_id};
          if (nic.fixed_ip) { request.fixed_ips = [nic.fixed_ip]; }
          if (nic.tag) { request.tag = nic.tag; }
          return $.extend(request, nicCarrier(nic) || {});
        })
      };
      if (detailsValue('key_name')) { body.key_name = detailsValue('key_name'); }
      if (detailsValue('user_data')) { body.user_data = base64(detailsValue('user_data')); }
      if (nodeId) { body.node = nodeId; }
      return body;
    }

    function showInlineError(message) {
      // Beside the step being edited, as well as in the preview.
      $form.find('.multinic-inline-error').remove();
      if (!message) {
        return;
      }
      var $step = $form.find('fieldset.js-tab-pane.active');
      $step.prepend($('<div class="alert multinic-error multinic-inline-error" role="alert">')
        .text(message));
    }

    function schedulePreview() {
      // "pending" until the answer for the latest state is shown (tests wait on it too).
      $root.attr('data-preview-state', 'pending');
      clearTimeout(previewTimer);
      previewTimer = setTimeout(preview, PREVIEW_DELAY_MS);
    }

    function preview() {
      var seq = ++previewSeq;
      if (!nics.length) {
        $('#preview-status').text(t('Add a network to see the config drive.'));
        $('#preview-network-data-json, #preview-meta-data-json').text('-');
        $('#preview-error').addClass('hide');
        showInlineError(null);
        $root.attr('data-preview-state', 'empty');
        return;
      }
      $('#preview-status').text(t('Updating...'));
      $.ajax({
        type: 'POST',
        url: $root.data('preview-url'),
        data: JSON.stringify(launchBody()),
        contentType: 'application/json',
        dataType: 'json',
        headers: {'X-CSRFToken': $form.find('input[name="csrfmiddlewaretoken"]').val()}
      }).done(function (data) {
        if (seq !== previewSeq) { return; }
        $('#preview-network-data-json').text(JSON.stringify(data.network_data, null, 2));
        $('#preview-meta-data-json').text(JSON.stringify(data.meta_data, null, 2));
        $('#preview-error').addClass('hide').text('');
        showInlineError(null);
        var warnings = data.warnings || [];
        $('#preview-warnings').toggleClass('hide', !warnings.length).text(warnings.join(' '));
        var count = data.network_info.length;
        $('#preview-status').text(window.ngettext
          ? interpolate(ngettext('Up to date: %s NIC.', 'Up to date: %s NICs.', count), [count])
          : 'Up to date: ' + count + ' NIC' + (count === 1 ? '' : 's') + '.');
        $root.attr('data-preview-state', 'ok');
      }).fail(function (xhr) {
        if (seq !== previewSeq) { return; }
        var message = errorText(xhr);
        $('#preview-error').removeClass('hide').text(message);
        $('#preview-warnings').addClass('hide');
        $('#preview-status').text(t('This launch would fail:'));
        showInlineError(message);
        $root.attr('data-preview-state', 'error');
      });
    }

    $form.on('input change', '[name="name"], [name="metadata"], [name="user_data"], ' +
             '[name="key_name"], [name="config_drive"]', schedulePreview);

    // --- go ------------------------------------------------------------------------------

    restore();
    renderNics();
    save();
    schedulePreview();
    loadModes();
    loadInventory();
  }

  $(start);
})(jQuery);

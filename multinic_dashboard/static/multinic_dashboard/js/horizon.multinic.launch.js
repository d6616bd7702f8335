/* Starts the launch wizard on the page that has one (Horizon calls its init functions once
 * the page is ready, on every page: elsewhere this does nothing). */
horizon.multinic.launch = {
  init: function () {
    var $root = $('.multinic-launch');
    if (!$root.length || $root.data('multinic-started')) {
      return;
    }
    $root.data('multinic-started', true);
    var wizard = new horizon.multinic.Wizard($root);
    horizon.multinic.nics.bind(wizard);
    horizon.multinic.bonding.bind(wizard);
    horizon.multinic.preview.bind(wizard);

    wizard.restore();
    horizon.multinic.nics.render(wizard);
    wizard.save();
    horizon.multinic.preview.schedule(wizard);
    horizon.multinic.carriers.loadModes(wizard);
    horizon.multinic.carriers.loadInventory(wizard);
    return wizard;
  }
};

horizon.addInitFunction(horizon.multinic.launch.init);

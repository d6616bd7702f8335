/* horizon.js expects its AngularJS half; the Django tables, forms, workflows and tabs do not
 * need it. horizon.init and the modals call horizon.utils.loadAngular, and horizon.tabs keeps
 * the last open tab in horizon.cookies: these stand in for both. */
horizon.utils = horizon.utils || {};
horizon.utils.loadAngular = horizon.utils.loadAngular || function () {};
horizon.cookies = horizon.cookies || (function () {
  var store = {};
  return {
    put: function (key, value) { store[key] = value; },
    get: function (key) { return store[key]; },
    getRaw: function (key) { return store[key]; },
    putObject: function (key, value) { store[key] = value; },
    getObject: function (key) { return store[key]; },
    remove: function (key) { delete store[key]; }
  };
})();

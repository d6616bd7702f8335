"""The multinic site: settings, URLs and (later) the Horizon plugin."""

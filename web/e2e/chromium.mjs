// Launch options for the system's Chromium (Debian package `chromium`), shared by the browser
// test and the screenshot script. The background-networking flags keep it off the network.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

"""One module per kiosk screen; each renders the session's state and reports the elder's answer."""

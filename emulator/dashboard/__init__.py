"""The emulator's dashboard: every request the gateway answered, kept in a bounded ring buffer
(:mod:`.history`), shown as JSON (``/_emulator/api/...``) and as pages (``/_emulator/...``)."""

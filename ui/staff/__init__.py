"""Staff mode (社工): one module per screen, imported when first shown (kiosk/screens.py)."""

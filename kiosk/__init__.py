"""Core of the community elder-care kiosk: rules, local store, sync, speech. Imports no Qt."""

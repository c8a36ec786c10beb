"""The fault campaign: real kiosks and a real platform under a faulting network and SIGKILLs."""

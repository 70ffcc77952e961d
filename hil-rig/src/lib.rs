//! Hardware-in-the-loop rig: simulated ONVIF cameras and full-load validation with retina.
//!
//! Not implemented yet: reserved for the simulator and validation issues. It exports nothing so
//! that no caller can mistake it for a working rig.

//! SeQura merchant API simulator.

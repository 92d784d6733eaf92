//! BigCommerce store simulator.

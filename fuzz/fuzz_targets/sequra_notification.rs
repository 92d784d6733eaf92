#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sequra_bc::fuzzing::sequra_notification(data));

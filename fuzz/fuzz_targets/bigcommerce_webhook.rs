#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sequra_bc::fuzzing::bigcommerce_webhook(data));

//! Tests of the sentence encoder.

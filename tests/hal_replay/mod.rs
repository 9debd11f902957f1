//! embedded-hal replays end to end: a published driver (lm75) recorded against a simulated
//! sensor, replayed with the sensor absent, and drift when the chip answers differently.
mod footprint;
mod lm75;
mod lm75_sensor;

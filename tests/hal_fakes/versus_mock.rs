//! The same driver test written with embedded-hal-mock and with the core's I2C fake, as
//! docs/embedded-hal-mock.md shows them: the code between `// doc:begin NAME` and `// doc:end`
//! is quoted there word for word (checked below, with the line counts the document states).

use super::panic_message;

// doc:begin embedded-hal-mock
#[test]
fn mock_reads_the_temperature_then_shuts_down() {
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
    use lm75::{Address, Lm75};

    let expectations = [
        Transaction::write_read(0x48, vec![0x00], vec![0x19, 0x80]),
        Transaction::write(0x48, vec![0x01, 0x01]),
    ];
    let mut sensor = Lm75::new(Mock::new(&expectations), Address::default());
    assert_eq!(sensor.read_temperature().unwrap(), 25.5);
    sensor.disable().unwrap();
    sensor.destroy().done();
}
// doc:end

// doc:begin fake
#[test]
fn fake_reads_the_temperature_then_shuts_down() {
    use capturemock_core::fake::hal::I2cFake;
    use lm75::{Address, Lm75};

    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write_read(0x48, &[0x00], &[0x19, 0x80]).unwrap();
    i2c.expect_write(0x48, &[0x01, 0x01]).unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    assert_eq!(sensor.read_temperature().unwrap(), 25.5);
    sensor.disable().unwrap();
    i2c.verify().unwrap();
}
// doc:end

/// When the driver writes other bytes than the test expects, each tells it in its own words.
#[test]
fn a_changed_driver_fails_both_with_their_messages() {
    use capturemock_core::fake::hal::I2cFake;
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
    use lm75::{Address, Lm75};

    let message = panic_message(|| {
        let expectations = [Transaction::write(0x48, vec![0x01, 0x00])];
        let mut sensor = Lm75::new(Mock::new(&expectations), Address::default());
        let _ = sensor.disable();
    });
    assert!(
        message.starts_with(
            "assertion `left == right` failed: i2c::write data does not match expectation"
        ),
        "{message}"
    );

    let message = panic_message(|| {
        let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
        i2c.expect_write(0x48, &[0x01, 0x00]).unwrap();
        let mut sensor = Lm75::new(&mut i2c, Address::default());
        let _ = sensor.disable();
    });
    assert_eq!(
        message,
        "fake:lm75.write(72, [1, 0]) was called unexpectedly with args (72, [1, 1])"
    );
}

/// When the driver calls in another order, each tells it in its own words.
#[test]
fn a_changed_order_fails_both() {
    use capturemock_core::fake::hal::I2cFake;
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
    use lm75::{Address, Lm75};

    let message = panic_message(|| {
        let expectations = [
            Transaction::write(0x48, vec![0x01, 0x00]),
            Transaction::write_read(0x48, vec![0x00], vec![0x19, 0x80]),
        ];
        let mut sensor = Lm75::new(Mock::new(&expectations), Address::default());
        let _ = sensor.read_temperature();
    });
    assert!(
        message.contains("i2c::write_read unexpected mode"),
        "{message}"
    );

    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(0x48, &[0x01, 0x00])
        .unwrap()
        .expect_write_read(0x48, &[0x00], &[0x19, 0x80])
        .unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    assert!(sensor.read_temperature().is_err());
    assert_eq!(
        i2c.verify().unwrap_err().to_string(),
        "Call #1 was fake:lm75.write_read(72, [0], 2); Expected: #1 fake:lm75.write(72, [1, 0]), \
         #2 fake:lm75.write_read(72, [0], 2), end"
    );
}

/// A missing transaction: embedded-hal-mock tells it at `done()`, the fake at `verify()` (or
/// when it is dropped).
#[test]
fn a_missing_transaction_fails_both() {
    use capturemock_core::fake::hal::I2cFake;
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
    use lm75::{Address, Lm75};

    let message = panic_message(|| {
        let expectations = [
            Transaction::write_read(0x48, vec![0x00], vec![0x19, 0x80]),
            Transaction::write(0x48, vec![0x01, 0x01]),
        ];
        let mut sensor = Lm75::new(Mock::new(&expectations), Address::default());
        let _ = sensor.read_temperature();
        sensor.destroy().done();
    });
    assert!(
        message.contains("Not all expectations consumed"),
        "{message}"
    );

    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write_read(0x48, &[0x00], &[0x19, 0x80])
        .unwrap()
        .expect_write(0x48, &[0x01, 0x01])
        .unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    let _ = sensor.read_temperature();
    assert_eq!(
        i2c.verify().unwrap_err().to_string(),
        "fake:lm75.write(72, [1, 1]) was not called"
    );
}

/// embedded-hal-mock panics when a mock is dropped without `done()`, even when every
/// expectation was met; the fake checks its expectations when dropped, and is content when
/// they were met.
#[test]
fn forgetting_the_final_check() {
    use capturemock_core::fake::hal::I2cFake;
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
    use lm75::{Address, Lm75};

    let message = panic_message(|| {
        let expectations = [Transaction::write(0x48, vec![0x01, 0x01])];
        let mut sensor = Lm75::new(Mock::new(&expectations), Address::default());
        sensor.disable().unwrap();
    });
    assert!(
        message.contains("was dropped without calling the `.done()` method"),
        "{message}"
    );

    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(0x48, &[0x01, 0x01]).unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    sensor.disable().unwrap();
    drop(i2c); // met: no panic

    let message = panic_message(|| {
        let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
        i2c.expect_write(0x48, &[0x01, 0x01]).unwrap();
    });
    assert_eq!(message, "fake:lm75.write(72, [1, 1]) was not called");
}

/// When the chip's answer changes, a hand-written expectation still answers what was
/// written: both tests go on passing against the old answer until someone edits it.
#[test]
fn a_hand_written_answer_does_not_follow_the_chip() {
    use capturemock_core::fake::hal::I2cFake;
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
    use lm75::{Address, Lm75};

    // The real sensor now reads 26.0 °C; the expectations were written when it read 25.5.
    let expectations = [Transaction::write_read(0x48, vec![0x00], vec![0x19, 0x80])];
    let mut sensor = Lm75::new(Mock::new(&expectations), Address::default());
    assert_eq!(sensor.read_temperature().unwrap(), 25.5);
    sensor.destroy().done();

    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write_read(0x48, &[0x00], &[0x19, 0x80]).unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    assert_eq!(sensor.read_temperature().unwrap(), 25.5);
    i2c.verify().unwrap();
}

/// The regions quoted by docs/embedded-hal-mock.md, by name.
fn regions(source: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in source.lines() {
        if let Some(name) = line.strip_prefix("// doc:begin ") {
            current = Some((name.to_owned(), Vec::new()));
        } else if line == "// doc:end" {
            let (name, lines) = current.take().expect("doc:end without doc:begin");
            out.push((name, lines.join("\n")));
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    out
}

#[test]
fn the_document_quotes_these_tests_and_counts_their_lines() {
    let root = env!("CARGO_MANIFEST_DIR");
    let source = std::fs::read_to_string(format!("{root}/tests/hal_fakes/versus_mock.rs")).unwrap();
    let doc = std::fs::read_to_string(format!("{root}/docs/embedded-hal-mock.md")).unwrap();
    let regions = regions(&source);
    assert_eq!(regions.len(), 2);
    for (name, code) in &regions {
        assert!(
            doc.contains(&format!("```rust\n{code}\n```")),
            "docs/embedded-hal-mock.md does not quote the `{name}` test as it is"
        );
        // Lines of test code: the body, without the attribute, the signature, the braces,
        // blank lines and `use` lines.
        let counted = code
            .lines()
            .map(str::trim)
            .filter(|l| {
                !l.is_empty()
                    && !l.starts_with("#[test]")
                    && !l.starts_with("fn ")
                    && !l.starts_with("use ")
                    && *l != "}"
            })
            .count();
        let stated = format!("| {name} | {counted} |");
        assert!(
            doc.contains(&stated),
            "docs/embedded-hal-mock.md should state `{stated}`"
        );
    }
}

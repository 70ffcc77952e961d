//! Parsing of quantity and price cells.
//!
//! Both are strict on purpose: "1,5" could be one and a half (decimal comma) or fifteen, and
//! "€12" is not a dollar amount, so anything outside the accepted shapes is an error that the
//! officer fixes rather than a number we made up.

/// Why a cell could not be read as a number; rendered after the cell's location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueError(pub String);

/// Reads a quantity: a plain non-negative number, with optional thousands separators.
pub(crate) fn parse_qty(text: &str) -> Result<f64, ValueError> {
    let trimmed = text.trim();
    let value =
        parse_decimal(trimmed).ok_or_else(|| ValueError(format!("{trimmed:?} is not a number")))?;
    if value < 0.0 {
        return Err(ValueError(format!(
            "{trimmed:?} is negative; a quantity must be 0 or more"
        )));
    }
    Ok(value)
}

/// Reads a unit price in US dollars: "$1,234.50", "1234.5", "USD 12", "12 USD", "US$12".
pub(crate) fn parse_price(text: &str) -> Result<f64, ValueError> {
    let trimmed = text.trim();
    let amount = strip_dollar_marker(trimmed);
    let value = parse_decimal(amount).ok_or_else(|| {
        ValueError(format!(
            "{trimmed:?} is not a price (expected a number, optionally with $ or USD)"
        ))
    })?;
    if value < 0.0 {
        return Err(ValueError(format!(
            "{trimmed:?} is negative; a unit price must be 0 or more"
        )));
    }
    Ok(value)
}

/// Removes one US-dollar marker, before or after the amount.
fn strip_dollar_marker(text: &str) -> &str {
    for prefix in ["US$", "USD", "$"] {
        if let Some(rest) = strip_prefix_ignore_case(text, prefix) {
            return rest.trim_start();
        }
    }
    for suffix in ["USD", "$"] {
        if let Some(rest) = strip_suffix_ignore_case(text, suffix) {
            return rest.trim_end();
        }
    }
    text
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let split = text.len().checked_sub(suffix.len())?;
    let tail = text.get(split..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..split])
}

/// Parses `[-+]digits[.digits]` where the integer part may use comma thousands separators
/// in groups of exactly three ("1,234,567"). Exponents, "inf" and "NaN" are rejected even
/// though `f64::from_str` takes them, because no officer means them in a BOM.
fn parse_decimal(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((int_part, frac)) => (int_part, Some(frac)),
        None => (unsigned, None),
    };
    if int_part.is_empty() && frac_part.is_none_or(str::is_empty) {
        return None;
    }
    if let Some(frac) = frac_part
        && !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if int_part.contains(',') {
        let mut groups = int_part.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
    } else if !int_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let plain: String = text.chars().filter(|&c| c != ',').collect();
    // A trailing or leading '.' ("12." or ".5") is accepted by f64's parser as well.
    plain.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_qty("4"), Ok(4.0));
        assert_eq!(parse_qty(" 12 "), Ok(12.0));
        assert_eq!(parse_qty("2.5"), Ok(2.5));
        assert_eq!(parse_qty("1,000"), Ok(1000.0));
        assert_eq!(parse_qty("0"), Ok(0.0));
        for bad in [
            "ten", "1,5", "1e3", "inf", "NaN", "", "-", ".", "4 pcs", "1,0000",
        ] {
            assert!(parse_qty(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_qty("ten"),
            Err(ValueError("\"ten\" is not a number".into()))
        );
        assert!(parse_qty("-1").unwrap_err().0.contains("negative"));
    }

    #[test]
    fn prices() {
        assert_eq!(parse_price("$1,234.50"), Ok(1234.5));
        assert_eq!(parse_price("1234.5"), Ok(1234.5));
        assert_eq!(parse_price("USD 12"), Ok(12.0));
        assert_eq!(parse_price("usd12"), Ok(12.0));
        assert_eq!(parse_price("12 USD"), Ok(12.0));
        assert_eq!(parse_price("US$ 99.99"), Ok(99.99));
        assert_eq!(parse_price("$ 5"), Ok(5.0));
        assert_eq!(parse_price("5$"), Ok(5.0));
        for bad in [
            "€12", "12 EUR", "twelve", "$", "USD", "1.2.3", "$$5", "(12.00)",
        ] {
            assert!(parse_price(bad).is_err(), "{bad:?}");
        }
    }
}

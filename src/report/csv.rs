//! Quoting of CSV fields, for every CSV file schedsim writes by hand.

/// A CSV field, quoted when it holds a comma, a quote or a line break (a policy's parameters,
/// an account name).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(csv_field("fcfs/easy"), "fcfs/easy");
        assert_eq!(csv_field("x[a=1,b=2]/easy"), "\"x[a=1,b=2]/easy\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}

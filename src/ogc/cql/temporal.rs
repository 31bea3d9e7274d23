//! The instants of Basic CQL2: RFC 3339 `full-date` (a day) and `date-time` (an instant with a
//! time zone offset), read into values that compare in time order.

/// A calendar day, as days since 1970-01-01 (proleptic Gregorian calendar, no time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

/// An instant, as seconds and nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

const DAYS_BEFORE_MONTH: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
/// Days from 0001-01-01 to 1970-01-01.
const EPOCH_DAY: i64 = 719_162;

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `n` ASCII digits at the start of `b`, as a number.
fn digits(b: &[u8], n: usize) -> Option<u32> {
    let part = b.get(..n)?;
    part.iter().try_fold(0u32, |acc, d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// `YYYY-MM-DD` at the start of `b`, as (year, day number since the epoch).
fn full_date(b: &[u8]) -> Option<Date> {
    let year = i64::from(digits(b, 4)?);
    let month = digits(b.get(5..)?, 2)?;
    let day = digits(b.get(8..)?, 2)?;
    if b[4] != b'-' || b[7] != b'-' || !(1..=12).contains(&month) {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Whole years before this one, then whole months, then days.
    let before = year - 1;
    let mut days = before * 365 + before.div_euclid(4) - before.div_euclid(100)
        + before.div_euclid(400)
        + DAYS_BEFORE_MONTH[month as usize - 1]
        + i64::from(day - 1);
    if month > 2 && is_leap(year) {
        days += 1;
    }
    Some(Date(days - EPOCH_DAY))
}

/// Reads an RFC 3339 `full-date`, e.g. `2024-02-29`.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 {
        return None;
    }
    full_date(b)
}

/// Reads an RFC 3339 `date-time`, e.g. `2024-02-29T08:30:00Z` or `2024-02-29T16:30:00.5+08:00`
/// (`T` or a space between date and time, as RFC 3339 allows; a second of 60 is accepted).
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let date = full_date(b)?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = digits(b.get(11..)?, 2)?;
    let minute = digits(b.get(14..)?, 2)?;
    let second = digits(b.get(17..)?, 2)?;
    if b[13] != b':' || b[16] != b':' || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|d| d.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        for (i, d) in frac[..n].iter().take(9).enumerate() {
            nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
        }
        rest = &frac[n..];
    }
    let offset_s: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2], 2)?;
            let m = digits(&[*m1, *m2], 2)?;
            if h > 23 || m > 59 {
                return None;
            }
            let v = i64::from(h * 3600 + m * 60);
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    let secs = date.0 * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_s;
    Some(Timestamp { secs, nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_from_the_epoch_across_leap_years() {
        assert_eq!(parse_date("1970-01-01"), Some(Date(0)));
        assert_eq!(parse_date("1970-03-01"), Some(Date(59)));
        assert_eq!(parse_date("2000-03-01"), Some(Date(11_017)));
        assert_eq!(parse_date("1969-12-31"), Some(Date(-1)));
        assert_eq!(
            parse_date("2024-02-29").map(|d| d.0 + 1),
            parse_date("2024-03-01").map(|d| d.0)
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-01",
            "2024-01-01T",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_with_offsets_name_the_same_instant() {
        let utc = parse_timestamp("2024-02-29T08:30:00Z").unwrap();
        assert_eq!(parse_timestamp("2024-02-29T16:30:00+08:00"), Some(utc));
        assert_eq!(parse_timestamp("2024-02-29 08:30:00z"), Some(utc));
        assert_eq!(utc.secs, 1_709_195_400);
        let later = parse_timestamp("2024-02-29T08:30:00.000000001Z").unwrap();
        assert!(later > utc && later.nanos == 1);
        for bad in [
            "2024-02-29T08:30:00",
            "2024-02-29T24:00:00Z",
            "2024-02-29T08:30Z",
            "2024-02-29T08:30:00.Z",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}

//! The sparse stream pointer (MS-SSTR 2.2.5): with a parent stream's fragment, an origin
//! names the latest fragment of each related sparse stream at or before it, as
//! `ChildTrack="name=time,name=time"` among other `Pragma` header data. A live client learns
//! of ad signals this way as soon as the media around them is fetched.

/// Pointers read from one header, at most.
pub const MAX_CHILD_TRACKS: usize = 16;

/// The (sparse stream name, fragment start) pairs of a `Pragma` header value; empty when
/// it has none. Malformed entries are skipped.
pub fn parse_child_tracks(pragma: &str) -> Vec<(String, u64)> {
    let lower = pragma.to_ascii_lowercase();
    let Some(at) = lower.find("childtrack=") else {
        return Vec::new();
    };
    let rest = &pragma[at + "childtrack=".len()..];
    let set = match rest.strip_prefix('"') {
        Some(quoted) => &quoted[..quoted.find('"').unwrap_or(quoted.len())],
        None => rest.split(';').next().unwrap_or(""),
    };
    set.split([',', ';'])
        .filter_map(|entry| {
            let (name, time) = entry.split_once('=')?;
            let name = name.trim();
            let time = time.trim().parse::<u64>().ok()?;
            (!name.is_empty()).then(|| (name.to_string(), time))
        })
        .take(MAX_CHILD_TRACKS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_are_read_among_other_header_data() {
        assert_eq!(
            parse_child_tracks(r#"IISMS/5.0;ChildTrack="scmd=123,chapters=456""#),
            vec![("scmd".to_string(), 123), ("chapters".to_string(), 456)]
        );
        assert_eq!(parse_child_tracks("no-cache"), Vec::<(String, u64)>::new());
        // Malformed entries are skipped, the rest kept; the count is bounded.
        assert_eq!(
            parse_child_tracks(r#"childtrack="a=x,b=7,=3,c""#),
            vec![("b".to_string(), 7)]
        );
        let many: Vec<String> = (0..100).map(|i| format!("s{i}={i}")).collect();
        let header = format!("ChildTrack=\"{}\"", many.join(","));
        assert_eq!(parse_child_tracks(&header).len(), MAX_CHILD_TRACKS);
    }
}

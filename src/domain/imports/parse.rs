//! Reading an uploaded file into a header and rows of text: xlsx (first sheet) or csv in UTF-8
//! or GBK, detected.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::{Deserialize, Serialize};

use crate::error::{text, Error, Result};

/// Uploads larger than this are refused with 413.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Data rows per file (the header not counted).
pub const MAX_ROWS: usize = 100_000;
pub const MAX_COLUMNS: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sheet {
    pub format: String,
    pub encoding: Option<String>,
    /// Column titles, trimmed and made unique (`备注`, `备注 (2)`); an empty title is `列 C`.
    pub header: Vec<String>,
    /// Non-empty data rows with their row number in the file (the header is row 1).
    pub rows: Vec<(u32, Vec<String>)>,
}

fn bad_file(zh: &str, en: &str) -> Error {
    Error::bad_request("bad-import-file", text(zh, en))
}

/// Parses by content: a zip (xlsx) or text (csv); the file name only breaks ties.
pub fn parse(filename: &str, bytes: &[u8]) -> Result<Sheet> {
    let lower = filename.to_ascii_lowercase();
    let grid = if bytes.starts_with(b"PK\x03\x04") {
        if !lower.ends_with(".xlsx") {
            return Err(bad_file(
                "仅支持 .xlsx 格式的 Excel 文件",
                "only .xlsx workbooks are supported",
            ));
        }
        (xlsx_grid(bytes)?, "xlsx", None)
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") {
        let (text, encoding) = decode(bytes)?;
        (csv_grid(&text)?, "csv", Some(encoding.to_string()))
    } else {
        return Err(bad_file(
            "请上传 .xlsx 或 .csv 文件",
            "upload an .xlsx or .csv file",
        ));
    };
    let (grid, format, encoding) = grid;
    sheet(grid, format, encoding)
}

/// UTF-8 (with or without a BOM) when valid, else GBK (what Excel saves as "CSV" on Chinese
/// Windows).
fn decode(bytes: &[u8]) -> Result<(String, &'static str)> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok((s.to_string(), "utf-8"));
    }
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| (s.into_owned(), "gbk"))
        .ok_or_else(|| {
            bad_file(
                "无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV",
                "unknown text encoding: save the CSV as UTF-8 or GBK",
            )
        })
}

fn csv_grid(text: &str) -> Result<Vec<(u32, Vec<String>)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            bad_file(
                &format!("CSV 格式有误：{e}"),
                &format!("malformed CSV: {e}"),
            )
        })?;
        let line = rec.position().map_or(0, |p| p.line() as u32);
        out.push((line, rec.iter().map(str::to_string).collect()));
        if out.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(out)
}

fn xlsx_grid(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        tracing::info!(error = %e, "unreadable xlsx upload");
        bad_file("无法读取此 Excel 文件", "this Excel file cannot be read")
    };
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(|e| unreadable(&e))?,
        None => return Ok(Vec::new()),
    };
    // The range starts at the first used cell; keep the sheet's own row numbers.
    let (top, _) = range.start().unwrap_or((0, 0));
    Ok(range
        .rows()
        .take(MAX_ROWS + 2)
        .enumerate()
        .map(|(i, r)| (top + i as u32 + 1, r.iter().map(cell_text).collect()))
        .collect())
}

/// A cell as the text a person sees: whole numbers without `.0` (mobiles typed as numbers),
/// dates as `YYYY-MM-DD`.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            // Excel's day 0 is 1899-12-30 (with the 1900 leap-year quirk folded in).
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
            base.checked_add_signed(chrono::Duration::days(dt.as_f64().floor() as i64))
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
    }
}

fn column_letter(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (i % 26) as u8) as char);
        if i < 26 {
            return s;
        }
        i = i / 26 - 1;
    }
}

fn sheet(grid: Vec<(u32, Vec<String>)>, format: &str, encoding: Option<String>) -> Result<Sheet> {
    let mut rows = grid
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, raw_header)) = rows.next() else {
        return Err(bad_file("文件中没有数据", "the file holds no data"));
    };
    let rows: Vec<(u32, Vec<String>)> = rows.collect();
    if rows.len() > MAX_ROWS {
        return Err(Error::new(
            crate::error::Kind::PayloadTooLarge,
            "too-many-rows",
            text(
                format!("每次最多导入 {MAX_ROWS} 行，请拆分文件"),
                format!("at most {MAX_ROWS} rows per import; split the file"),
            ),
        ));
    }
    let width = rows
        .iter()
        .map(|(_, r)| r.len())
        .chain([raw_header.len()])
        .max()
        .unwrap_or(0);
    if width > MAX_COLUMNS {
        return Err(bad_file(
            &format!("列数超过 {MAX_COLUMNS}"),
            &format!("more than {MAX_COLUMNS} columns"),
        ));
    }
    let mut header: Vec<String> = Vec::with_capacity(width);
    for i in 0..width {
        let t = raw_header.get(i).map_or("", |s| s.trim());
        let base = if t.is_empty() {
            format!("列 {}", column_letter(i))
        } else {
            t.to_string()
        };
        let mut name = base.clone();
        let mut n = 2;
        while header.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        header.push(name);
    }
    Ok(Sheet {
        format: format.into(),
        encoding,
        header,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_and_utf8_csv_are_detected() {
        let text = "姓名,手机\n王丽,13800138000\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let s = parse("客户.csv", &gbk).unwrap();
        assert_eq!(s.encoding.as_deref(), Some("gbk"));
        assert_eq!(s.header, ["姓名", "手机"]);
        assert_eq!(s.rows, [(2, vec!["王丽".into(), "13800138000".into()])]);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        let s = parse("a.csv", &bom).unwrap();
        assert_eq!(s.encoding.as_deref(), Some("utf-8"));
        assert_eq!(s.header[0], "姓名");
    }

    #[test]
    fn headers_are_unique_and_blank_rows_skipped() {
        let s = parse("a.csv", "备注,,备注\n\n,,\nx,y,z\n".as_bytes()).unwrap();
        assert_eq!(s.header, ["备注", "列 B", "备注 (2)"]);
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].0, 4);
        assert_eq!(column_letter(27), "AB");
    }
}

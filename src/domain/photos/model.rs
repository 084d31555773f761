//! A before/after photo and its fixed vocabularies.

use serde_json::json;

use crate::access::Record;

/// Body areas a photo shows: (identifier, 中文, English).
pub const AREAS: &[(&str, &str, &str)] = &[
    ("face", "全脸", "Face"),
    ("forehead", "额头", "Forehead"),
    ("eyes", "眼周", "Eyes"),
    ("nose", "鼻部", "Nose"),
    ("lips", "唇部", "Lips"),
    ("cheeks", "面颊", "Cheeks"),
    ("chin", "下巴", "Chin"),
    ("neck", "颈部", "Neck"),
    ("body", "身体", "Body"),
];

/// 术前 / 术后 / 治疗中.
pub const KINDS: &[&str] = &["before", "after", "progress"];

#[derive(Debug, Clone, Default)]
pub struct Photo {
    pub id: i64,
    pub customer_id: i64,
    pub store_id: i64,
    pub consultation_id: Option<i64>,
    pub area: String,
    pub kind: String,
    pub taken_date: String,
    pub media_type: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub original_sha256: String,
    pub display_sha256: Option<String>,
    pub thumb_sha256: Option<String>,
    pub note: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// The sizes a photo can be fetched in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Size {
    Thumb,
    Display,
    Original,
}

impl Size {
    pub fn parse(s: &str) -> Option<Size> {
        match s {
            "thumb" => Some(Size::Thumb),
            "display" => Some(Size::Display),
            "original" => Some(Size::Original),
            _ => None,
        }
    }
}

impl Photo {
    pub fn preview(&self) -> bool {
        self.display_sha256.is_some()
    }

    /// The stored file of a size, with its media type; `None` when the size does not exist.
    pub fn file(&self, size: Size) -> Option<(&str, &str)> {
        match size {
            Size::Original => Some((&self.original_sha256, &self.media_type)),
            Size::Display => self.display_sha256.as_deref().map(|s| (s, "image/jpeg")),
            Size::Thumb => self.thumb_sha256.as_deref().map(|s| (s, "image/jpeg")),
        }
    }

    pub fn into_record(self) -> Record {
        let url = |size: &str| format!("/api/v1/photos/{}/image?size={size}", self.id);
        let image = if self.preview() {
            json!({"thumb": url("thumb"), "display": url("display"), "original": url("original"),
                   "width": self.width, "height": self.height})
        } else {
            json!({"original": url("original")})
        };
        let mut r = Record::new();
        r.set("id", self.id)
            .set("customer_id", self.customer_id)
            .set("consultation_id", self.consultation_id)
            .set("area", self.area.clone())
            .set("kind", self.kind.clone())
            .set("taken_date", self.taken_date.clone())
            .set("media_type", self.media_type.clone())
            .set("preview", self.preview())
            .set("note", self.note.clone())
            .set("image", image)
            .set("created_by", self.created_by)
            .set("created_at", self.created_at);
        r
    }
}

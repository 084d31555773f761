//! What a handler's extractors tell the OpenAPI document: the names of its query parameters and
//! of its JSON body's fields, read from their serde definitions so that the document cannot drift
//! from what the handler accepts.

use actix_web::{web, HttpRequest};
use serde::de::{self, DeserializeOwned, Visitor};

use super::json::Json;
use crate::auth::Authenticated;

/// The parameters a route's extractors take besides its path.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub query: Vec<&'static str>,
    pub body: Option<Body>,
}

#[derive(Debug, Clone)]
pub enum Body {
    /// A struct: these fields and no others.
    Fields(&'static [&'static str]),
    /// A map of an entity's fields by name (customers, consultations): which ones a caller may
    /// write depends on its role.
    Entity,
}

/// Implemented by every extractor type a handler takes, and by their tuples.
pub trait Documented {
    fn document(_params: &mut Params) {}
}

impl<T: ?Sized> Documented for web::Data<T> {}
impl<T> Documented for web::Path<T> {}
impl Documented for HttpRequest {}
impl Documented for web::Payload {}
impl Documented for Authenticated {}

impl<T: DeserializeOwned> Documented for super::Query<T> {
    fn document(params: &mut Params) {
        params.query.extend(fields_of::<T>().unwrap_or_default());
    }
}

impl<T: DeserializeOwned> Documented for Json<T> {
    fn document(params: &mut Params) {
        params.body = Some(fields_of::<T>().map_or(Body::Entity, Body::Fields));
    }
}

macro_rules! tuple {
    ($($t:ident),*) => {
        impl<$($t: Documented),*> Documented for ($($t,)*) {
            fn document(_params: &mut Params) {
                $($t::document(_params);)*
            }
        }
    };
}
tuple!();
tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);
tuple!(A, B, C, D, E);
tuple!(A, B, C, D, E, F);

/// The field names serde's derive gives a struct (None for maps and other shapes). The derive
/// hands them to `deserialize_struct`, where this probe notes them and stops.
pub fn fields_of<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let mut seen = None;
    let _ = T::deserialize(Probe(&mut seen));
    seen
}

struct Probe<'a>(&'a mut Option<&'static [&'static str]>);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("probe")
    }
}
impl std::error::Error for Stop {}
impl de::Error for Stop {
    fn custom<M: std::fmt::Display>(_: M) -> Stop {
        Stop
    }
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        *self.0 = Some(fields);
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Two {
        a: i64,
        #[serde(rename = "b_name")]
        b: Option<String>,
    }

    #[test]
    fn struct_fields_are_read_from_serde() {
        assert_eq!(fields_of::<Two>(), Some(&["a", "b_name"][..]));
        assert_eq!(
            fields_of::<serde_json::Map<String, serde_json::Value>>(),
            None
        );
    }

    #[test]
    fn extractors_add_their_parts() {
        let mut p = Params::default();
        <(
            web::Data<()>,
            Authenticated,
            crate::http::Query<Two>,
            Json<Two>,
        )>::document(&mut p);
        assert_eq!(p.query, ["a", "b_name"]);
        assert!(matches!(p.body, Some(Body::Fields(f)) if f == ["a", "b_name"]));
    }
}

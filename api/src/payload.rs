//! `ApiJson<T>`: a JSON request body that fails the way DESIGN §3 says: 400 when the
//! bytes are not JSON, 422 with `errors[]` naming each missing or mistyped field.
//! poem-openapi's own `Json<T>` answers both with one unstructured 400.

use papo_protocol::ErrorCode;
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    payload::{ParsePayload, Payload},
    registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry},
    types::{ParseFromJSON, Type},
};
use serde_json::Value;

use crate::problem::{FieldProblem, Problem};

/// A JSON request body of type `T`.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: Type> Payload for ApiJson<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        content_type.starts_with("application/json")
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for ApiJson<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        if let Some(kind) = request.content_type()
            && !is_json(kind)
        {
            return Err(Problem::new(
                poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                format!("The body must be application/json, not {kind}."),
            )
            .into());
        }
        let bytes = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Problem::malformed_json("The request body must be a JSON object.").into());
        }
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Problem::malformed_json(format!("The body is not valid JSON: {e}.")))?;
        let problems = field_problems::<T>(&value);
        if !problems.is_empty() {
            return Err(Problem::validation(problems).into());
        }
        T::parse_from_json(Some(value)).map(Self).map_err(|e| {
            Problem::validation(vec![FieldProblem {
                field: "body".into(),
                message: e.into_message(),
            }])
            .into()
        })
    }
}

/// A body without a content type is read as JSON, so a client that forgets the header
/// still gets a precise answer about its body; any other type than JSON is a 415. That
/// refusal matters: a cross-site form can send `text/plain` or form bodies without a
/// CORS preflight, and must not be able to sign anyone up or in.
impl<'a, T: ParseFromJSON> ApiExtractor<'a> for ApiJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        <Self as ParsePayload>::from_request(request, body).await
    }
}

/// `application/json`, or a `+json` type, with any parameters.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Checks `value` against `T`'s schema: an object, with every required field, and
/// each known field of the declared JSON type (and enum value, and length): every bad
/// field at once, where poem-openapi's own parsing stops at the first.
fn field_problems<T: Type>(value: &Value) -> Vec<FieldProblem> {
    let mut registry = Registry::new();
    T::register(&mut registry);
    let root = T::schema_ref();
    let Some(schema) = resolve(&registry, &root) else {
        return Vec::new();
    };
    let Some(object) = value.as_object() else {
        return vec![problem("body", "must be a JSON object")];
    };
    let mut problems = Vec::new();
    for field in &schema.required {
        if object.get(*field).is_none_or(Value::is_null) {
            problems.push(problem(field, "is required"));
        }
    }
    for (field, field_schema) in &schema.properties {
        let Some(given) = object.get(*field).filter(|v| !v.is_null()) else {
            continue;
        };
        let Some(field_schema) = resolve(&registry, field_schema) else {
            continue;
        };
        if let Some(message) =
            type_mismatch(field_schema, given).or_else(|| length_violation(field_schema, given))
        {
            problems.push(problem(field, &message));
        }
    }
    problems
}

/// The schema behind a reference. A documented field of a named type is an inline
/// `allOf: [$ref, {description}]` wrapper, so the reference inside is followed too.
fn resolve<'r>(registry: &'r Registry, schema: &'r MetaSchemaRef) -> Option<&'r MetaSchema> {
    let schema = match schema {
        MetaSchemaRef::Inline(schema) => schema,
        MetaSchemaRef::Reference(name) => registry.schemas.get(name)?,
    };
    let named = schema
        .all_of
        .iter()
        .find(|part| matches!(part, MetaSchemaRef::Reference(_)));
    match named {
        Some(inner) => resolve(registry, inner),
        None => Some(schema),
    }
}

fn type_mismatch(schema: &MetaSchema, value: &Value) -> Option<String> {
    let ok = match schema.ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    };
    if !ok {
        let expected = match schema.format {
            Some("uuid") => "a UUID string".to_owned(),
            _ => format!("a JSON {}", schema.ty),
        };
        return Some(format!("must be {expected}"));
    }
    if !schema.enum_items.is_empty() && !schema.enum_items.contains(value) {
        let allowed: Vec<String> = schema.enum_items.iter().map(Value::to_string).collect();
        return Some(format!("must be one of {}", allowed.join(", ")));
    }
    if schema.format == Some("uuid")
        && value
            .as_str()
            .is_some_and(|s| uuid::Uuid::parse_str(s).is_err())
    {
        return Some("must be a UUID".into());
    }
    None
}

/// A string outside the schema's `minLength`/`maxLength` (counted in characters, as
/// JSON Schema and the domain count them).
fn length_violation(schema: &MetaSchema, value: &Value) -> Option<String> {
    let length = value.as_str()?.chars().count();
    match (schema.min_length, schema.max_length) {
        (Some(1), _) if length == 0 => Some("must not be empty".into()),
        (Some(min), _) if length < min => Some(format!("must be at least {min} characters long")),
        (_, Some(max)) if length > max => Some(format!("must be at most {max} characters long")),
        _ => None,
    }
}

fn problem(field: &str, message: &str) -> FieldProblem {
    FieldProblem {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

/// An optional JSON request body: no body (or only whitespace) is `None`; anything
/// else must parse as [`ApiJson<T>`] does.
#[derive(Debug, Clone)]
pub struct MaybeJson<T>(pub Option<T>);

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for MaybeJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <ApiJson<T> as Payload>::CONTENT_TYPE,
                schema: T::schema_ref(),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let bytes = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        let mut body = RequestBody::new(poem::Body::from_vec(bytes));
        let parsed = <ApiJson<T> as ParsePayload>::from_request(request, &mut body).await?;
        Ok(Self(Some(parsed.0)))
    }
}

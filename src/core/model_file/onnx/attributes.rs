//! Small builders for the ONNX messages the graph is made of: attributes
//! of each kind, double tensors, and the typed `[N, columns]` inputs and
//! outputs.

use super::proto::{
    attribute_type, data_type, AttributeProto, Dimension, TensorProto, TensorShapeProto,
    TensorTypeProto, TypeProto, ValueInfoProto,
};

pub(super) fn int_attribute(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(attribute_type::INT),
        i: Some(value),
        ..AttributeProto::default()
    }
}

pub(super) fn string_attribute(name: &str, value: &str) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(attribute_type::STRING),
        s: Some(value.as_bytes().to_vec()),
        ..AttributeProto::default()
    }
}

pub(super) fn ints_attribute(name: &str, values: Vec<i64>) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(attribute_type::INTS),
        ints: values,
        ..AttributeProto::default()
    }
}

pub(super) fn strings_attribute(name: &str, values: &[&str]) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(attribute_type::STRINGS),
        strings: values.iter().map(|v| v.as_bytes().to_vec()).collect(),
        ..AttributeProto::default()
    }
}

pub(super) fn double_tensor(name: &str, dims: Vec<i64>, values: Vec<f64>) -> TensorProto {
    TensorProto {
        name: Some(name.to_string()),
        dims,
        data_type: Some(data_type::DOUBLE),
        double_data: values,
        ..TensorProto::default()
    }
}

pub(super) fn tensor_attribute(name: &str, values: Vec<f64>) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(attribute_type::TENSOR),
        t: Some(double_tensor(name, vec![values.len() as i64], values)),
        ..AttributeProto::default()
    }
}

pub(super) fn value_info(name: &str, elem_type: i32, columns: i64) -> ValueInfoProto {
    ValueInfoProto {
        name: Some(name.to_string()),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type: Some(elem_type),
                shape: Some(TensorShapeProto {
                    dim: vec![
                        Dimension {
                            dim_param: Some("N".to_string()),
                            ..Dimension::default()
                        },
                        Dimension {
                            dim_value: Some(columns),
                            ..Dimension::default()
                        },
                    ],
                }),
            }),
        }),
    }
}

namespace Engine.Import;

/// <summary>What a model file holds, told from its first bytes (never from its extension).</summary>
public enum ModelFileKind
{
    /// <summary>None of the signatures below.</summary>
    Unknown,
    /// <summary>A zip archive ("PK\x03\x04" at offset 0): a Keras 3 <c>.keras</c> file.</summary>
    Zip,
    /// <summary>An HDF5 file (signature "\x89HDF\r\n\x1a\n" at offset 0, 512, 1024, 2048, ...): a Keras
    /// <c>.h5</c>.</summary>
    Hdf5,
    /// <summary>A safetensors file (8-byte little-endian header size N, 2 &lt;= N &lt; 2^32, then '{').</summary>
    SafeTensors,
    /// <summary>An ONNX ModelProto (protobuf; <see cref="OnnxReader.LooksLikeOnnx"/> decides).</summary>
    Onnx,
}

namespace ByolA.Onnx;

/// <summary>What an export wrote: the model's metadata, the path and its size in bytes.</summary>
public sealed record OnnxExportResult(OnnxModelInfo Info, string Path, long Bytes, IReadOnlyList<string> Warnings);

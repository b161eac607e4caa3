namespace ByolA.Audio;

/// <summary>A file convert-wav could not convert: its source path and a one-line reason.</summary>
public sealed record ConvertWavFailure(string Source, string Reason);

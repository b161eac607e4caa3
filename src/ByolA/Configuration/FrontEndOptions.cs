namespace ByolA.Configuration;

/// <summary>
/// What the log-mel front end needs of a config, and nothing else (no learning rate, no epochs): sample rate, STFT
/// size, window and hop in samples, mel bins and their frequency range in Hz. Made by <see cref="ByolAConfig.FrontEnd"/>
/// from a config, whose <see cref="ByolAConfig.Validate"/> checks these keys.
/// </summary>
public sealed record FrontEndOptions(int SampleRate, int NFft, int WinLength, int HopLength, int NMels, double FMin, double FMax);

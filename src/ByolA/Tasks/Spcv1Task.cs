namespace ByolA.Tasks;

/// <summary>Speech Commands v0.01, 30 words.</summary>
internal sealed class Spcv1Task : SpeechCommandsTask
{
    public override string Name => "spcv1";
    public override string Description => "Speech Commands v0.01, 30 words (64721 clips)";

    public override OfficialCounts Official { get; } = new(64721, 30,
        new Dictionary<string, int> { [Splits.Train] = 51088, [Splits.Valid] = 6798, [Splits.Test] = 6835 });
}

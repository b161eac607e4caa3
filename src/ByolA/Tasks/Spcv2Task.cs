namespace ByolA.Tasks;

/// <summary>Speech Commands v0.02, 35 words.</summary>
internal sealed class Spcv2Task : SpeechCommandsTask
{
    public override string Name => "spcv2";
    public override string Description => "Speech Commands v0.02, 35 words (105829 clips)";

    public override OfficialCounts Official { get; } = new(105829, 35,
        new Dictionary<string, int> { [Splits.Train] = 84843, [Splits.Valid] = 9981, [Splits.Test] = 11005 });
}

namespace ByolA.Tests.Learning;

/// <summary>
/// Tests that depend on torch's process-wide default generator (dropout masks, seeded initialisation) run in this
/// collection, alone, so no test on another thread draws from the generator in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRngCollection
{
    public const string Name = "torch default generator";
}

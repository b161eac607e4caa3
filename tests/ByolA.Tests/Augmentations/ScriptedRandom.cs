using ByolA.Runtime;
using ByolA.Augmentations;

namespace ByolA.Tests.Augmentations;

/// <summary>An <see cref="IRandomSource"/> that replays given draws in order and fails when they run out.</summary>
public sealed class ScriptedRandom(IEnumerable<double>? uniforms = null, IEnumerable<int>? ints = null) : IRandomSource
{
    readonly Queue<double> _uniforms = new(uniforms ?? []);
    readonly Queue<int> _ints = new(ints ?? []);

    public double Uniform() => _uniforms.Count > 0 ? _uniforms.Dequeue() : throw new InvalidOperationException("no scripted Uniform() left");

    public int RandInt(int low, int high)
    {
        if (_ints.Count == 0) throw new InvalidOperationException("no scripted RandInt() left");
        int v = _ints.Dequeue();
        if (v < low || v > high) throw new InvalidOperationException($"scripted RandInt {v} outside [{low}, {high}]");
        return v;
    }
}

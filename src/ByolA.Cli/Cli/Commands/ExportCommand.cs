using ByolA.Audio;
using ByolA.Embedding;
using System.CommandLine;
using ByolA.Onnx;

namespace ByolA.Cli.Commands;

/// <summary><c>byola export WEIGHTS OUT.onnx</c>: the encoder as an ONNX model for ONNX Runtime.</summary>
public static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var weights = new Argument<string>("weights") { Description = "Encoder weights: a PyTorch .pth state dict of AudioNTT2020 (v1) or AudioNTT2022 (v2), as embed reads them." };
        var output = new Argument<string?>("out")
        {
            Description = "The ONNX model to write (.onnx); written to a temporary name, then renamed. With --classifier it is the only argument.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var classifier = new Option<string?>("--classifier")
        {
            Description = "Export a classifier saved by 'byola evaluate --save-model' instead of bare weights: its encoder, scaler and head as one " +
                          "graph with an extra output 'probabilities' (batch, classes) and the class names in the metadata " +
                          "(byola export --classifier FILE OUT.onnx). Its normalisation stats are the classifier's; add --frontend for waveform input.",
            HelpName = "FILE",
        };
        var frontEnd = new Option<bool>("--frontend")
        {
            Description = "Put the log-mel front end and the normalisation in the graph: the input is then raw mono waveform (batch, samples) " +
                          "at the config's sample_rate instead of normalised log-mel (batch, 1, n_mels, frames). Needs --stats or --stats-from.",
        };
        var statsOptions = new StatsOptions(
            "Normalisation mean and std of the log-mel, e.g. --stats -5.49,5.04; stored in the metadata (and used in the graph with --frontend).",
            "Compute the normalisation stats from the .wav files below DIR (e.g. the training data).");
        var frames = new Option<bool>("--frames") { Description = "Also output frame-level features 'frames' (batch, T', d) beside the pooled 'embedding' (batch, d)." };
        var layered = new Option<bool>("--layered") { Description = "Export AudioNTT2020X with the five layers' features concatenated (v1 weights only)." };
        var command = new Command("export",
            "Export an encoder as an ONNX model (opset 17, dynamic batch and time axes, BatchNorm folded) for ONNX Runtime: " +
            "input 'lms' (normalised log-mel) or with --frontend 'waveform'; output 'embedding' and with --frames 'frames'. " +
            "The metadata records model_kind, feature_d, sample_rate, frame_hop_ms, the stats and the weights' SHA-256.")
        {
            weights, output, frontEnd, frames, layered, classifier,
        };
        statsOptions.AddTo(command);
        var compute = new ComputeOptions().AddTo(command);
        var names = compute.Names.Add(nameof(OnnxExportOptions.WeightsPath), weights).Add(nameof(OnnxExportOptions.OutPath), output)
            .Add(nameof(OnnxExportOptions.FrontEnd), frontEnd).Add(nameof(OnnxExportOptions.Stats), statsOptions.Stats)
            .Add(nameof(OnnxExportOptions.Frames), frames).Add(nameof(OnnxExportOptions.Layered), layered);
        names.Add(nameof(OnnxExportOptions.OutPath), weights);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var (given, statsDir) = statsOptions.Get(parse);
            if (parse.GetValue(classifier) is { } classifierPath)
            {
                // export --classifier FILE OUT.onnx: the one positional argument is the output.
                if (parse.GetValue(output) != null) throw new UsageException("with --classifier give only OUT.onnx, not weights (the encoder is inside the classifier)");
                if (given != null || statsDir != null) throw new UsageException("--classifier uses the classifier's own normalisation stats; leave out --stats and --stats-from");
                if (parse.GetValue(layered) || parse.GetValue(frames)) throw new UsageException("--classifier exports the pooled embedding and probabilities; leave out --layered and --frames");
                compute.InitialiseTorch(parse);
                var exported = ByolA.Probe.ClassifierExport.Run(classifierPath, parse.GetValue(weights)!, parse.GetValue(frontEnd), ct);
                var meta = exported.Info;
                context.Output.WriteLine($"wrote {exported.Path} ({exported.Bytes / 1e6:F1} MB): classifier on {meta.ModelKind} d={meta.FeatureD}, input " +
                                         $"{(meta.HasFrontEnd ? $"waveform (batch, samples) at {meta.SampleRate} Hz" : $"lms (batch, 1, {meta.NMels}, frames)")}, " +
                                         "outputs embedding + probabilities");
                return ExitCodes.Ok;
            }
            var outPath = parse.GetValue(output) ?? throw new UsageException("give OUT.onnx after the weights (or --classifier FILE OUT.onnx)");
            var config = compute.LoadConfig(parse);
            compute.InitialiseTorch(parse);
            var options = new OnnxExportOptions
            {
                WeightsPath = parse.GetValue(weights)!,
                OutPath = outPath,
                FrontEnd = parse.GetValue(frontEnd),
                Stats = given == null ? null : (given.Mean, given.Std),
                Frames = parse.GetValue(frames),
                Layered = parse.GetValue(layered),
                Config = config,
            };
            var result = OnnxExportJob.Run(options, statsDir, context.CreateProgress(), ct);
            foreach (var w in result.Warnings) context.Error.WriteLine("warning: " + w);
            var info = result.Info;
            context.Output.WriteLine($"wrote {result.Path} ({result.Bytes / 1e6:F1} MB): {info.ModelKind} d={info.FeatureD}, input " +
                                     $"{(info.HasFrontEnd ? $"waveform (batch, samples) at {info.SampleRate} Hz" : $"lms (batch, 1, {info.NMels}, frames)")}, " +
                                     $"outputs embedding{(info.HasFrames ? " + frames" : "")}, frame hop {info.FrameHopMs} ms" +
                                     (info.Stats is var (m, s) ? $", stats {new NormStats(m, s)}" : ""));
            return ExitCodes.Ok;
        }, names));
        return command;
    }
}

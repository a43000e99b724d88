using Rein.Cache;
using Rein.Models;
using Rein.Tests.Support;

namespace Rein.Tests.Models;

public sealed class ModelSizeEstimatorTests
{
    [Theory]
    // Parameter count from <N>b / <N>m, bytes per parameter from the quantisation.
    [InlineData("mlx-community/gemma-4-31b-it-8bit", 31e9, 1.0625, "31b", "8bit")]
    [InlineData("unsloth/gemma-4-e4b-it", 4e9, 2.0, "e4b", null)]
    [InlineData("facebook/opt-350m", 350e6, 2.0, "350m", null)]
    [InlineData("mlx-community/gemma-4-26b-a4b-it-4bit", 26e9, 0.5625, "26b", "4bit")]
    [InlineData("mlx-community/Qwen2.5-1.5B-Instruct-bf16", 1.5e9, 2.0, "1.5B", "bf16")]
    [InlineData("org/model-7b-fp16", 7e9, 2.0, "7b", "fp16")]
    [InlineData("org/model-7b-16bit", 7e9, 2.0, "7b", "16bit")]
    [InlineData("org/model-7b-q8", 7e9, 1.0625, "7b", "q8")]
    [InlineData("org/model-7b-6bit", 7e9, 0.8125, "7b", "6bit")]
    [InlineData("org/Meta-Llama-3.1-8B-Instruct-Q4_K_M", 8e9, 0.5625, "8B", "Q4")]
    [InlineData("org/model-7b-3bit", 7e9, 0.4375, "7b", "3bit")]
    [InlineData("org/model-7b-2bit", 7e9, 0.3125, "7b", "2bit")]
    [InlineData("mistralai/Mixtral-8x7B-v0.1", 56e9, 2.0, "8x7B", null)]
    [InlineData("org/model-13b-int8", 13e9, 1.0, "13b", "int8")]
    [InlineData("org/model-13b-fp32", 13e9, 4.0, "13b", "fp32")]
    [InlineData("org/model-7b-4-bit", 7e9, 0.5625, "7b", "4bit")]
    [InlineData("org/model-21B-Q_6-MLX", 21e9, 0.8125, "21B", "Q6")]
    [InlineData("org/model-8X4B-MOE-21B", 21e9, 2.0, "21B", null)]
    [InlineData("org/model-30b-mxfp4", 30e9, 0.53125, "30b", "mxfp4")]
    // No number: a family's published size for its size word.
    [InlineData("openai/whisper-large-v3", 1.55e9, 2.0, "whisper large", null)]
    [InlineData("mlx-community/Phi-4-mini-instruct-4bit", 3.8e9, 0.5625, "phi-4 mini", "4bit")]
    [InlineData("mlx-community/phi-4-4bit", 14.7e9, 0.5625, "phi-4", "4bit")]
    [InlineData("microsoft/Phi-3.5-mini-instruct", 3.8e9, 2.0, "phi-3 mini", null)]
    [InlineData("google/t5-xl", 3e9, 2.0, "t5 xl", null)]
    public void Estimates_come_from_the_id(
        string id,
        double parameters,
        double bytesPer,
        string parameterToken,
        string? quant
    )
    {
        var e = ModelSizeEstimator.Estimate(id);
        Assert.Equal(parameters, e.Parameters!.Value, 3);
        Assert.Equal(bytesPer, e.BytesPerParameter, 6);
        Assert.Equal(parameterToken, e.ParameterToken);
        Assert.Equal(quant, e.QuantisationToken);
        Assert.Equal((long)Math.Ceiling(parameters * bytesPer), e.Bytes);
    }

    [Theory]
    [InlineData("org/some-model")]
    [InlineData("m")]
    [InlineData("org/encoder-mini-8bit")] // a size word of no known family is not a size
    public void An_id_without_a_size_is_unknown(string id)
    {
        var e = ModelSizeEstimator.Estimate(id);
        Assert.Null(e.Parameters);
        Assert.Null(e.Bytes);
    }

    /// <summary>The name rules against real ids with their listed sizes (tests/fixtures/models/model-sizes.tsv):
    /// every estimate within 0.7x-1.35x of the listed size.</summary>
    [Fact]
    public void Estimates_from_names_land_near_the_real_sizes()
    {
        var rows = File.ReadAllLines(Paths.Fixture("models", "model-sizes.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .ToList();
        Assert.True(rows.Count >= 20, $"{rows.Count} rows");
        var misses = new List<string>();
        foreach (var row in rows)
        {
            var listed =
                double.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture) * 1e9;
            var estimate = ModelSizeEstimator.Estimate(row[0]).Bytes;
            var ratio = estimate is { } b ? b / listed : 0;
            if (ratio is < 0.7 or > 1.35)
            {
                misses.Add($"{row[0]}: estimated {estimate} for {listed:0} listed ({ratio:0.00}x)");
            }
        }

        Assert.True(misses.Count == 0, string.Join("\n", misses));
    }

    /// <summary>A model in the Hugging Face cache is measured, not guessed: the snapshot's weight files through the
    /// cache's links (safetensors over the bin duplicates), or a shard index's total_size.</summary>
    [Fact]
    public void Weights_in_the_hub_cache_are_the_figure()
    {
        var hub = Directory.CreateTempSubdirectory("rein-hub-").FullName;
        try
        {
            var repo = Path.Combine(hub, "models--mlx-community--Phi-4-mini-instruct-4bit");
            var blobs = Directory.CreateDirectory(Path.Combine(repo, "blobs")).FullName;
            var snap = Directory
                .CreateDirectory(Path.Combine(repo, "snapshots", "abc123"))
                .FullName;
            Directory.CreateDirectory(Path.Combine(repo, "refs"));
            File.WriteAllText(Path.Combine(repo, "refs", "main"), "abc123\n");
            Sparse(Path.Combine(blobs, "b1"), 2_000_000_000);
            Sparse(Path.Combine(blobs, "b2"), 160_000_000);
            Sparse(Path.Combine(blobs, "b3"), 999);
            File.CreateSymbolicLink(
                Path.Combine(snap, "model-00001-of-00002.safetensors"),
                "../../blobs/b1"
            );
            File.CreateSymbolicLink(
                Path.Combine(snap, "model-00002-of-00002.safetensors"),
                "../../blobs/b2"
            );
            File.CreateSymbolicLink(Path.Combine(snap, "pytorch_model.bin"), "../../blobs/b3");
            File.WriteAllText(Path.Combine(snap, "config.json"), "{}");
            var at = new CacheLocations(hub, "", []);

            var e = ModelSizeEstimator.Estimate("mlx-community/Phi-4-mini-instruct-4bit", at);
            Assert.Equal("weights on disk", e.Source);
            Assert.Equal(2_160_000_000, e.Bytes);
            Assert.Equal(2, e.OnDisk!.Files);
            Assert.Equal(snap, e.OnDisk.Folder);
            Assert.Equal(2_137_500_000, e.NameBytes);

            File.WriteAllText(
                Path.Combine(snap, "model.safetensors.index.json"),
                "{\"metadata\": {\"total_size\": 2159000000}, \"weight_map\": {}}"
            );
            Assert.Equal(
                2_159_000_000,
                ModelSizeEstimator.Estimate("mlx-community/Phi-4-mini-instruct-4bit", at).Bytes
            );

            // Not in the cache: the name.
            var other = ModelSizeEstimator.Estimate("mlx-community/gemma-3-4b-pt-4bit", at);
            Assert.Equal("name", other.Source);
            Assert.Null(other.OnDisk);
        }
        finally
        {
            Directory.Delete(hub, recursive: true);
        }
    }

    [Fact]
    public void A_local_model_folder_is_measured()
    {
        var dir = Directory.CreateTempSubdirectory("rein-mlx-model-").FullName;
        try
        {
            Sparse(Path.Combine(dir, "weights.npz"), 300_000_000);
            Sparse(Path.Combine(dir, "model.gguf"), 700_000_000);
            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), "{}");
            var e = ModelSizeEstimator.Estimate(dir, new CacheLocations("/nonexistent", "", []));
            Assert.Equal(1_000_000_000, e.Bytes);
            Assert.Equal("weights on disk", e.Source);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static void Sparse(string path, long length)
    {
        using var f = File.Create(path);
        f.SetLength(length);
    }
}

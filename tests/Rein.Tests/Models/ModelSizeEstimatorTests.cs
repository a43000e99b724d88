using Rein.Models;

namespace Rein.Tests.Models;

public sealed class ModelSizeEstimatorTests
{
    [Theory]
    // Parameter count from <N>b / <N>m, bytes per parameter from the quantisation.
    [InlineData("mlx-community/gemma-4-31b-it-8bit", 31e9, 1.0, "31b", "8bit")]
    [InlineData("unsloth/gemma-4-e4b-it", 4e9, 2.0, "e4b", null)]
    [InlineData("facebook/opt-350m", 350e6, 2.0, "350m", null)]
    [InlineData("mlx-community/gemma-4-26b-a4b-it-4bit", 26e9, 0.5, "26b", "4bit")]
    [InlineData("mlx-community/Qwen2.5-1.5B-Instruct-bf16", 1.5e9, 2.0, "1.5B", "bf16")]
    [InlineData("org/model-7b-fp16", 7e9, 2.0, "7b", "fp16")]
    [InlineData("org/model-7b-16bit", 7e9, 2.0, "7b", "16bit")]
    [InlineData("org/model-7b-q8", 7e9, 1.0, "7b", "q8")]
    [InlineData("org/model-7b-6bit", 7e9, 0.75, "7b", "6bit")]
    [InlineData("org/Meta-Llama-3.1-8B-Instruct-Q4_K_M", 8e9, 0.5, "8B", "Q4")]
    [InlineData("org/model-7b-3bit", 7e9, 0.375, "7b", "3bit")]
    [InlineData("org/model-7b-2bit", 7e9, 0.25, "7b", "2bit")]
    [InlineData("mistralai/Mixtral-8x7B-v0.1", 56e9, 2.0, "8x7B", null)]
    // No number: a size word, a rough guess.
    [InlineData("openai/whisper-large-v3", 1.5e9, 2.0, "large", null)]
    [InlineData("org/encoder-mini-8bit", 100e6, 1.0, "mini", "8bit")]
    [InlineData("google/t5-xl", 3e9, 2.0, "xl", null)]
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
        Assert.Equal(bytesPer, e.BytesPerParameter);
        Assert.Equal(parameterToken, e.ParameterToken);
        Assert.Equal(quant, e.QuantisationToken);
        Assert.Equal((long)Math.Ceiling(parameters * bytesPer), e.Bytes);
    }

    [Theory]
    [InlineData("org/some-model")]
    [InlineData("m")]
    public void An_id_without_a_size_is_unknown(string id)
    {
        var e = ModelSizeEstimator.Estimate(id);
        Assert.Null(e.Parameters);
        Assert.Null(e.Bytes);
    }
}

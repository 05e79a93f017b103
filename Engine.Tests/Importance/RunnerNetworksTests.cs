using System.Collections.Concurrent;
using Engine.Importance;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// <see cref="ImportanceRunner"/> over several networks: <see cref="ImportanceRunner.Networks"/> (network 0 is the
/// trained context itself, network k &gt; 0 trained from its documented seed), its refusals, and how a method's results
/// are combined (one network's result as it is, several averaged); onMethod sees each run.
/// </summary>
public class RunnerNetworksTests
{
    private static readonly Retrainer Stub = (subset, seed) => Fixtures.Model(seed, features: subset.Length);

    [Fact]
    public void Network_zero_is_the_trained_context_and_network_k_trains_from_its_documented_seeds()
    {
        // Seeds written out from the documentation: training seed of network k
        // new RandomSource(trainingSeed).Fork(100 + k).NextUInt64() (100: the stream of extra networks), importance
        // seed new RandomSource(trained.Seed).Fork(k).Seed. The retrainer records the model it made for each seed.
        const ulong trainingSeed = 42;
        var trained = Fixtures.Context(Fixtures.Model(2), 3);
        var made = new ConcurrentDictionary<ulong, Sequential>();
        var subsets = new ConcurrentBag<string>();
        Retrainer train = (subset, seed) =>
        {
            subsets.Add(string.Join(",", subset));
            return made[seed] = Fixtures.Model(seed);
        };
        var contexts = ImportanceRunner.Networks(trained, train, 3, threads: 2, trainingSeed);
        Assert.Equal(3, contexts.Count);
        Assert.Same(trained, contexts[0]);
        Assert.Equal(2, made.Count);
        Assert.Equal(["0,1,2", "0,1,2"], subsets);
        for (int k = 1; k < 3; k++)
        {
            ulong seed = new RandomSource(trainingSeed).Fork(100 + (ulong)k).NextUInt64();
            Assert.Same(made[seed], contexts[k].Model);
            Assert.Equal(new RandomSource(trained.Seed).Fork((ulong)k).Seed, contexts[k].Seed);
            Assert.Same(trained.Inputs, contexts[k].Inputs);
        }
        // Network k alone is the same.
        Assert.Same(trained, ImportanceRunner.Network(trained, train, 0, trainingSeed));
    }

    [Fact]
    public void Networks_refuses_null_arguments_and_counts_below_one_by_name()
    {
        var trained = Fixtures.Context(Fixtures.Model(2), 3);
        Assert.Equal("trained",
                     Assert.Throws<ArgumentNullException>(() =>
                         ImportanceRunner.Networks(null!, Stub, 2, 1, 0)).ParamName);
        Assert.Equal("train",
                     Assert.Throws<ArgumentNullException>(() =>
                         ImportanceRunner.Networks(trained, null!, 2, 1, 0)).ParamName);
        var none = Assert.Throws<ArgumentOutOfRangeException>(() => ImportanceRunner.Networks(trained, Stub, 0, 1, 0));
        Assert.Equal(("networks", (object?)0), (none.ParamName, none.ActualValue));
        Assert.StartsWith("networks must be positive, got 0 (Parameter 'networks')", none.Message);
        var idle = Assert.Throws<ArgumentOutOfRangeException>(() => ImportanceRunner.Networks(trained, Stub, 2, 0, 0));
        Assert.Equal(("threads", (object?)0), (idle.ParamName, idle.ActualValue));
        Assert.StartsWith("threads must be positive, got 0 (Parameter 'threads')", idle.Message);
        // Network k alone (k = 0 would hand back the first argument as it is, null or not).
        Assert.Equal("trained",
                     Assert.Throws<ArgumentNullException>(() =>
                         ImportanceRunner.Network(null!, Stub, 0, 0)).ParamName);
        Assert.Equal("train",
                     Assert.Throws<ArgumentNullException>(() =>
                         ImportanceRunner.Network(trained, null!, 0, 0)).ParamName);
    }

    [Fact]
    public void One_networks_result_is_the_methods_own_and_onMethod_sees_it()
    {
        // garson on one network: exactly what garson computes (no "mean of 1 networks", no across-network note).
        var context = Fixtures.Context(Fixtures.Model(2), 3);
        var garson = ImportanceMethods.Create("garson");
        var own = garson.Compute(context);
        var seen = new List<MethodRun>();
        var runs = ImportanceRunner.Run(context, [garson, ImportanceMethods.Create("connection-weights")], seen.Add);
        Assert.Equal(own.Scores, runs[0].Result.Scores);
        Assert.Equal(own.ScoreMeaning, runs[0].Result.ScoreMeaning);
        Assert.Equal(own.Note, runs[0].Result.Note);
        Assert.All(runs[0].Result.Features, f => Assert.Null(f.Statistics));
        // onMethod saw each run as it ended, in order: the very runs returned.
        Assert.Equal(2, seen.Count);
        Assert.Same(runs[0], seen[0]);
        Assert.Same(runs[1], seen[1]);
    }

    [Fact]
    public void Several_networks_results_are_averaged()
    {
        // garson on two networks: each score the mean (a + b) / 2 of the two networks' own garson scores, with
        // SD |a - b| / sqrt 2 over the 2 networks, and the across-network note.
        var first = Fixtures.Context(Fixtures.Model(2), 3);
        var second = first with { Model = Fixtures.Model(5) };
        var garson = ImportanceMethods.Create("garson");
        var a = garson.Compute(first).Scores;
        var b = garson.Compute(second).Scores;
        var run = ImportanceRunner.Run([first, second], [garson]).Single();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal((a[i] + b[i]) / 2, run.Result.Scores[i], 1e-12);
            var statistics = run.Result.Features[i].Statistics!.Value;
            Assert.Equal(2, statistics.Count);
            Assert.Equal(Math.Abs(a[i] - b[i]) / Math.Sqrt(2), statistics.Sd, 1e-12);
        }
        Assert.StartsWith("garson over 2 networks: mean rank ", run.Result.Note);
    }
}

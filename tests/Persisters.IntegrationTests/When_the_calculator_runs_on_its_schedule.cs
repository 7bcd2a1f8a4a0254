using Persisters.Consumers.Calculator;
using Persisters.Host.Cli;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests;

public sealed class When_the_calculator_runs_on_its_schedule
{
    [Fact]
    public async Task Results_of_the_persisted_events_are_written_by_the_recurring_schedule_through_the_clustered_scheduler()
    {
        await using var sut = await ServiceUnderTest.CreateAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = SyntheticTraffic.Experiment("it", "calc", now);
        await sut.SeedAsync(experiment);
        var traffic = SyntheticTraffic.Create(experiment, 3000, 0.05, 0.0, seed: 9, now);
        sut.Environment["Calculator__Interval"] = "00:00:10";
        sut.Environment["Logging__LogLevel__Persisters"] = "Information";
        await using var host = await sut.StartHostAsync();

        await sut.PublishAsync(traffic.Evaluations);
        await sut.WaitForCountAsync($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'", traffic.ExpectedEvaluationRows, TimeSpan.FromMinutes(2));
        await sut.PublishAsync(traffic.Goals);
        await sut.WaitForCountAsync($"SELECT COUNT(*) FROM goal_event WHERE experiment_id = '{experiment.ExperimentId:D}'", traffic.ExpectedGoalRows, TimeSpan.FromMinutes(2));

        // Expected totals, from what was sent: distinct users who were evaluated, and who reached the goal.
        var evaluatedUsers = traffic.ValidEvaluations.Select(e => e.UserId).Distinct().Count();
        var convertedUsers = traffic.ValidGoals.Select(g => g.UserId).Distinct().Count();
        ExperimentResultDocument? document = null;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var data = await sut.Database.TextAsync($"SELECT data FROM experiment_result WHERE id = '{experiment.ExperimentId:D}'");
            if (data is not null)
            {
                document = CalculatorJsonContext.Parse(data);
                var last = document.Goals[0].Calculation.Variations;
                if (last.Sum(v => v.GoalUsers) == convertedUsers) break;
            }
            await Task.Delay(1000);
        }

        Assert.True(document is not null, "no result document; host output:\n" + host.Output);
        var variations = document!.Goals.Single().Calculation.Variations;
        Assert.Equal(evaluatedUsers, variations.Sum(v => v.EvaluationUsers));
        Assert.Equal(convertedUsers, variations.Sum(v => v.GoalUsers));
        Assert.Equal(["A", "B"], variations.Select(v => v.Id));
        Assert.All(variations, v => Assert.InRange(v.Cvr!.Mean, 0.0, 1.0));
        Assert.Equal(1, await sut.Database.ScalarAsync($"SELECT COUNT(*) FROM experiment_result WHERE id = '{experiment.ExperimentId:D}'"));
    }
}

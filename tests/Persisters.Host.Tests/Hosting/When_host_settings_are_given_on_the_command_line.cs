using System.Net;
using Persisters.Host.Cli;
using Persisters.Tests.Support;

namespace Persisters.Tests.Hosting;

/// <summary>
/// Field report: <c>persisters run --urls http://127.0.0.1:25080</c> answered "Unrecognized command or argument", although the code
/// forwarded arguments after the verb to the host. Right: ASP.NET Core's command-line configuration (<c>--urls</c>,
/// <c>--Section:Key=value</c>, <c>--Section__Key value</c>) works for every verb that builds a host, over the environment.
/// </summary>
public sealed class When_host_settings_are_given_on_the_command_line
{
    [Fact]
    public void The_ASP_NET_Core_forms_are_read_and_written_as_configuration_paths()
    {
        var (arguments, problems) = HostArguments.Read(
            ["--urls", "http://127.0.0.1:1", "--Transport:Kind=RabbitMq", "--Transport__RabbitMq__Host", "broker", "Database:Provider=MySql", "--ShutdownTimeoutSeconds", "60",
             "--Logging:LogLevel:Microsoft.AspNetCore=Debug", "--environment", "Staging"]);

        Assert.Empty(problems);
        Assert.Equal(
            ["--urls=http://127.0.0.1:1", "--Transport:Kind=RabbitMq", "--Transport:RabbitMq:Host=broker", "--Database:Provider=MySql", "--ShutdownTimeoutSeconds=60",
             "--Logging:LogLevel:Microsoft.AspNetCore=Debug", "--environment=Staging"],
            arguments);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("migrate")]
    [InlineData("load")]
    [InlineData("demo")]
    [InlineData("chart", "--experiment", "3f0c2b1e-9d4a-4c1e-8f00-1234567890ab", "--output", "c.svg")]
    public void Every_verb_that_builds_a_host_takes_them(params string[] verb)
    {
        var parse = PersistersCommandLine.Create().Parse([.. verb, "--urls", "http://127.0.0.1:1", "--Transport:Kind=RabbitMq", "--Database__Provider", "MySql"]);

        Assert.Empty(parse.Errors);
        Assert.Empty(HostArguments.Problems(parse));
        Assert.Equal(["--urls=http://127.0.0.1:1", "--Transport:Kind=RabbitMq", "--Database:Provider=MySql"], HostArguments.Of(parse));
    }

    [Fact]
    public void The_service_without_a_verb_takes_them()
    {
        var parse = PersistersCommandLine.Create().Parse(["--urls", "http://127.0.0.1:1", "--Transport:Kind=RabbitMq"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(["--urls=http://127.0.0.1:1", "--Transport:Kind=RabbitMq"], HostArguments.Of(parse));
    }

    [Fact]
    public void A_verb_without_a_host_takes_none()
    {
        var parse = PersistersCommandLine.Create().Parse(["calc", "--input", "/etc/hostname", "--Transport:Kind=RabbitMq"]);

        Assert.Equal(["Unrecognized command or argument '--Transport:Kind=RabbitMq'."], parse.Errors.Select(e => e.Message).Concat(HostArguments.Problems(parse)).Distinct());
    }

    [Fact]
    public async Task Run_listens_on_the_urls_given_on_the_command_line_over_the_environment()
    {
        var port = CapturedProcess.FreePort();
        await using var host = HostCommand.Start(null, "run", "--urls", $"http://127.0.0.1:{port}");

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + HostCommand.Patience;
        HttpStatusCode? status = null;
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            try
            {
                status = (await http.GetAsync($"http://127.0.0.1:{port}/health/live")).StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }

        Assert.True(status == HttpStatusCode.OK, $"nothing answered on port {port}:\n{host.Output}");
        Assert.Contains($"Now listening on: http://127.0.0.1:{port}", host.Output);
        Assert.DoesNotContain($"127.0.0.1:{host.Port}", host.Output);
    }

    [Fact]
    public async Task Migrate_and_an_operator_verb_read_the_database_given_on_the_command_line()
    {
        var directory = Directory.CreateTempSubdirectory("persisters-args-").FullName;
        var database = Path.Combine(directory, "from-args.db");

        var (migrateExit, migrateOutput) = await HostCommand.RunAsync(null, "migrate", $"--Database:ConnectionString=Data Source={database}");
        var (listExit, listOutput) = await HostCommand.RunAsync(null, "keys", "list", "--Database__ConnectionString", $"Data Source={database}");

        Assert.True(migrateExit == 0, migrateOutput);
        Assert.True(File.Exists(database), migrateOutput);
        Assert.True(listExit == 0, listOutput);
        Assert.Contains("0 key(s)", listOutput);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task A_bad_setting_on_the_command_line_is_named_like_one_from_the_environment()
    {
        var (exit, output) = await HostCommand.RunAsync(null, "run", "--Transport:Kind=RabbitMq,AmazonSqs");

        Assert.Equal(2, exit);
        Assert.Contains("Transport:Kind 'RabbitMq,AmazonSqs' is not a transport", output);
    }
}

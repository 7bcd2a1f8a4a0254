using Microsoft.Extensions.Configuration;
using Persisters.Host.Configuration;

namespace Persisters.Tests.Hosting;

public sealed class AmazonSqsSettingsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static (string, string) Kind => ("Transport:Kind", "AmazonSqs");

    [Fact]
    public void A_region_alone_is_enough_and_uses_the_default_credential_chain()
    {
        var transport = TransportOptions.Read(Config(Kind, ("Transport:AmazonSqs:Region", "eu-west-1")));

        Assert.Equal(TransportKind.AmazonSqs, transport.Kind);
        Assert.Equal("eu-west-1", transport.AmazonSqs.Region);
        Assert.Null(transport.AmazonSqs.ServiceUrl);
        Assert.Null(transport.AmazonSqs.AccessKey);
        Assert.Null(transport.AmazonSqs.SecretKey);
        Assert.Equal("", transport.AmazonSqs.QueuePrefix);
    }

    [Fact]
    public void Every_setting_is_read()
    {
        var transport = TransportOptions.Read(Config(("Transport:Kind", "amazonsqs"), ("Transport:AmazonSqs:Region", "us-east-1"),
            ("Transport:AmazonSqs:ServiceUrl", "http://127.0.0.1:9324"), ("Transport:AmazonSqs:AccessKey", "AKIA1"),
            ("Transport:AmazonSqs:SecretKey", "s3cret"), ("Transport:AmazonSqs:QueuePrefix", "prod-")));

        var o = transport.AmazonSqs;
        Assert.Equal(new Uri("http://127.0.0.1:9324"), o.ServiceUrl);
        Assert.Equal("AKIA1", o.AccessKey);
        Assert.Equal("s3cret", o.SecretKey);
        Assert.Equal("prod-", o.QueuePrefix);
    }

    [Theory]
    [InlineData(null, null, "Transport:AmazonSqs:Region is required", "Transport__AmazonSqs__Region")]
    [InlineData("Region", "Frankfurt", "Transport:AmazonSqs:Region 'Frankfurt' is not an AWS region", "Transport__AmazonSqs__Region")]
    [InlineData("ServiceUrl", "localhost:9324", "Transport:AmazonSqs:ServiceUrl 'localhost:9324' is not an absolute http(s) URL", "Transport__AmazonSqs__ServiceUrl")]
    [InlineData("ServiceUrl", "ftp://127.0.0.1/", "Transport:AmazonSqs:ServiceUrl 'ftp://127.0.0.1/'", "Transport__AmazonSqs__ServiceUrl")]
    [InlineData("AccessKey", "AKIA1", "Transport:AmazonSqs:SecretKey is required", "Transport__AmazonSqs__SecretKeyFile")]
    [InlineData("SecretKey", "s3cret", "Transport:AmazonSqs:AccessKey is required", "Transport__AmazonSqs__AccessKey")]
    [InlineData("QueuePrefix", "prod.", "Transport:AmazonSqs:QueuePrefix 'prod.' may contain only", "Transport__AmazonSqs__QueuePrefix")]
    [InlineData("QueuePrefix", "a-prefix-that-is-far-too-long-for-any-sqs-queue", "Transport:AmazonSqs:QueuePrefix", "Transport__AmazonSqs__QueuePrefix")]
    public void A_bad_or_missing_setting_is_named_with_its_environment_form(string? key, string? value, string message, string environment)
    {
        var values = new List<(string, string)> { Kind };
        if (key != "Region") values.Add(("Transport:AmazonSqs:Region", key is null ? "" : "us-east-1"));
        if (key is not null) values.Add(("Transport:AmazonSqs:" + key, value!));

        var ex = Assert.Throws<SettingsException>(() => TransportOptions.Read(Config(values.ToArray())));
        Assert.Contains(message, ex.Message);
        Assert.Contains(environment, ex.Message);
    }

    [Fact]
    public void The_secret_key_can_come_from_a_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "from-a-file\n");
            var configuration = new ConfigurationManager();
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Transport:Kind"] = "AmazonSqs",
                ["Transport:AmazonSqs:Region"] = "us-east-1",
                ["Transport:AmazonSqs:AccessKey"] = "AKIA1",
                ["Transport:AmazonSqs:SecretKeyFile"] = path,
            });
            SecretFiles.Apply(configuration);

            Assert.Equal("from-a-file", TransportOptions.Read(configuration).AmazonSqs.SecretKey);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

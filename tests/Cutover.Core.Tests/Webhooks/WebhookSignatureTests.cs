using System.Security.Cryptography;
using System.Text;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"object":"whatsapp_business_account","entry":[]}""");
    private readonly WebhookSignature _signature = new("app-secret");

    [Fact]
    public void Sign_IsLowercaseHexHmacSha256WithPrefix()
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("app-secret"), Body));

        Assert.Equal(expected, _signature.Sign(Body));
    }

    [Fact]
    public void Verify_OwnSignature_Accepted()
    {
        var header = _signature.Sign(Body);

        Assert.True(_signature.Verify(Body, header));
        Assert.True(WebhookSignature.IsWellFormed(header));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha1=abc")]
    [InlineData("sha256=zz")]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    public void Verify_WrongOrMalformed_Refused(string header)
    {
        Assert.False(_signature.Verify(Body, header));
    }

    [Theory]
    [InlineData("upper-case hex")]
    [InlineData("SHA256=")]
    [InlineData("Sha256=")]
    [InlineData(" sha256=")]
    [InlineData("sha256= ")]
    [InlineData("trailing space")]
    [InlineData("trailing tab")]
    [InlineData("sha256=sha256=")]
    public void Verify_RightDigestNotWrittenAsMetaWritesIt_Refused(string variant)
    {
        // Meta sends one form: sha256= and 64 lower-case hex digits. The body goes on with the header as it came, and an
        // upstream that checks strictly would refuse what a generous reading let through.
        var hex = _signature.Sign(Body)["sha256=".Length..];
        var header = variant switch
        {
            "upper-case hex" => "sha256=" + hex.ToUpperInvariant(),
            "trailing space" => "sha256=" + hex + " ",
            "trailing tab" => "sha256=" + hex + "\t",
            _ => variant + hex,
        };

        Assert.False(_signature.Verify(Body, header));
        Assert.False(WebhookSignature.IsWellFormed(header));
    }

    [Fact]
    public void Verify_OtherBody_Refused()
    {
        Assert.False(_signature.Verify(Encoding.UTF8.GetBytes("{}"), _signature.Sign(Body)));
    }

    [Fact]
    public void Sign_ManyBodiesOnManyThreads_EachIsItsOwnHmac()
    {
        // Each thread reuses one keyed HMAC: every result must still be that body's alone.
        var key = Encoding.UTF8.GetBytes("app-secret");
        Parallel.For(0, 2_000, i =>
        {
            var body = Encoding.UTF8.GetBytes(new string('x', i % 300) + i);
            var header = _signature.Sign(body);
            Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body)), header);
            Assert.True(_signature.Verify(body, header));
            Assert.False(_signature.Verify(body.AsSpan(1), header));
        });
    }
}

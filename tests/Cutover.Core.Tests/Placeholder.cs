namespace Cutover.Core.Tests;

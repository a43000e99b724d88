# Homebrew formula for Rein. This copy is a template: packaging/release.sh fills in the repository, the
# version and the SHA-256 of each tarball (the lines marked "release.sh") and writes dist/rein.rb, which the
# release attaches. See packaging/homebrew/README.md. Unverified: never run by brew on this machine.
class Rein < Formula
  desc "Guard heavy ML and agent workloads: deadlines, memory caps, whole-tree kill, a journal"
  homepage "https://github.com/OWNER/rein" # release.sh
  version "0.0.0" # release.sh

  on_macos do
    on_arm do
      url "https://github.com/OWNER/rein/releases/download/v#{version}/rein-#{version}-osx-arm64.tar.gz"
      sha256 "0000000000000000000000000000000000000000000000000000000000000000" # release.sh osx-arm64
    end
  end

  on_linux do
    on_intel do
      url "https://github.com/OWNER/rein/releases/download/v#{version}/rein-#{version}-linux-x64.tar.gz"
      sha256 "0000000000000000000000000000000000000000000000000000000000000000" # release.sh linux-x64
    end
    on_arm do
      url "https://github.com/OWNER/rein/releases/download/v#{version}/rein-#{version}-linux-arm64.tar.gz"
      sha256 "0000000000000000000000000000000000000000000000000000000000000000" # release.sh linux-arm64
    end
  end

  def install
    bin.install "rein"
  end

  test do
    ENV["REIN_HOME"] = (testpath/"state").to_s
    assert_match version.to_s, shell_output("#{bin}/rein --version")
    assert_equal "guarded\n", shell_output("#{bin}/rein run --timeout 10s -- echo guarded")
    # A command over its deadline is stopped with its tree: exit 124, as coreutils timeout.
    shell_output("#{bin}/rein run --timeout 1s -- sleep 30", 124)
    assert_match "echo guarded", shell_output("#{bin}/rein journal")
  end
end

/*
 * Shai-Hulud 2.0, "Sha1-Hulud: The Second Coming" (November 2025):
 * "preinstall": "node setup_bun.js" installs Bun and runs the obfuscated
 * bun_environment.js, which exfiltrates to a repository described
 * "Sha1-Hulud: The Second Coming.", registers a self-hosted runner named
 * SHA1HULUD, plants a discussion-triggered workflow and, without tokens to
 * steal, wipes the home directory. Markers from JFrog's analysis, the
 * Cobenian detector and the Splunk analytics story (see feeds/SOURCES.md).
 */

rule sha1_hulud_repo_description
{
	meta:
		description = "Shai-Hulud 2.0 exfiltration repository description \"Sha1-Hulud: The Second Coming\""
		severity = "critical"
		family = "shai-hulud-2"
		reference = "https://github.com/jfrog/research"
	strings:
		$desc = "Sha1-Hulud: The Second Coming"
	condition:
		$desc
}

rule sha1_hulud_bun_loader
{
	meta:
		description = "Shai-Hulud 2.0 loader (setup_bun.js): installs or finds Bun and runs bun_environment.js"
		severity = "critical"
		family = "shai-hulud-2"
		reference = "https://github.com/jfrog/research"
	strings:
		$payload = "bun_environment.js"
		$bun1 = "bun.sh/install"
		$bun2 = "child_process"
		$bun3 = "spawn"
		$bun4 = "execSync"
	condition:
		$payload and 1 of ($bun*)
}

rule sha1_hulud_runner_registration
{
	meta:
		description = "Shai-Hulud 2.0 persistence: registers a self-hosted GitHub Actions runner named SHA1HULUD (under ~/.dev-env)"
		severity = "critical"
		family = "shai-hulud-2"
		reference = "https://research.splunk.com/stories/npm_supply_chain_compromise/"
	strings:
		$name = "SHA1HULUD"
		$r1 = "config.sh"
		$r2 = "actions-runner"
		$r3 = ".dev-env"
		$r4 = "--unattended"
		$r5 = "registration-token"
		$r6 = "registration_token"
		$r7 = "runs-on: self-hosted"
	condition:
		$name and 1 of ($r*)
}

rule sha1_hulud_discussion_backdoor
{
	meta:
		description = "Shai-Hulud 2.0 backdoor workflow (.github/workflows/discussion.yaml): runs the text of a GitHub discussion on a self-hosted runner"
		severity = "critical"
		family = "shai-hulud-2"
		reference = "https://research.splunk.com/stories/npm_supply_chain_compromise/"
	strings:
		$body = "github.event.discussion.body"
		$runner = "self-hosted"
		$path = ".github/workflows/discussion.y"
	condition:
		$body and ($runner or $path)
}

rule sha1_hulud_exfil_files
{
	meta:
		description = "Shai-Hulud 2.0 exfiltration: writes harvested secrets to actionsSecrets.json / truffleSecrets.json with contents, environment and cloud dumps"
		severity = "high"
		family = "shai-hulud-2"
		reference = "https://github.com/jfrog/research"
	strings:
		$key1 = "actionsSecrets.json"
		$key2 = "truffleSecrets.json"
		$f1 = "contents.json"
		$f2 = "environment.json"
		$f3 = "cloud.json"
	condition:
		1 of ($key*) and 3 of ($key*, $f*)
}

rule sha1_hulud_home_wipe
{
	meta:
		description = "destructive fallback that shreds or deletes the user's home directory (Shai-Hulud 2.0 without tokens to steal; the Mini Shai-Hulud dead-man's switch)"
		severity = "critical"
		family = "shai-hulud-2"
		reference = "https://github.com/jfrog/research"
	strings:
		$shred = /shred\s+-[a-z]{0,4}u[a-z]{0,4}/
		$home1 = "$HOME"
		$home2 = "homedir()"
		$rm1 = "rm -rf ~/"
		$rm2 = "rm -rf $HOME"
		$rm3 = "rm -rf \"$HOME\""
		$rm4 = "rm -rf ${HOME}"
		$win1 = "cipher /W:%USERPROFILE%" nocase
		$win2 = /del \/F \/Q \/S "?%USERPROFILE%/ nocase
	condition:
		($shred and 1 of ($home*)) or 1 of ($rm*) or 1 of ($win*)
}

rule sha1_hulud_runner_host_tamper
{
	meta:
		description = "Shai-Hulud 2.0 CI tampering: replaces resolved.conf, flushes iptables and adds a sudoers entry through a privileged container"
		severity = "high"
		family = "shai-hulud-2"
		reference = "https://github.com/jfrog/research"
	strings:
		$dns = "/tmp/resolved.conf"
		$ipt1 = "iptables -F OUTPUT"
		$ipt2 = "iptables -F DOCKER-USER"
		$sudo = "/etc/sudoers.d/runner"
		$priv = "--privileged"
	condition:
		2 of them
}

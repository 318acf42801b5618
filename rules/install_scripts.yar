/*
 * Install-script patterns: what a worm or a stealer needs a lifecycle
 * script for, whoever wrote it. package.json files are scanned whole, so
 * these rules anchor on the script's key ("preinstall": "...") rather than
 * on a file name. Severities are lower than for the family rules: these
 * are shapes, not fingerprints, and a reviewer should look before acting.
 */

rule install_script_pipe_to_shell
{
	meta:
		description = "install script downloads code and pipes it into a shell (curl | sh, wget | bash, iwr | iex)"
		severity = "high"
		family = "install-script"
		reference = "https://github.com/Cobenian/shai-hulud-detect"
	strings:
		$unix = /"(pre|post)?install"\s*:\s*"([^"\\\n]|\\.){0,400}\b(curl|wget)\b([^"\\\n]|\\.){0,400}\|\s*(sudo\s+)?(ba|z|da|k)?sh\b/
		$win = /"(pre|post)?install"\s*:\s*"([^"\\\n]|\\.){0,400}\b(iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b([^"\\\n]|\\.){0,400}\|\s*(iex|Invoke-Expression)\b/ nocase
	condition:
		any of them
}

rule install_script_node_bundle
{
	meta:
		description = "postinstall runs \"node bundle.js\", the script Shai-Hulud (September 2025) added to every package it republished"
		severity = "high"
		family = "shai-hulud"
		reference = "https://github.com/Cobenian/shai-hulud-detect"
	strings:
		$s = /"postinstall"\s*:\s*"node\s+(\.\/)?bundle\.js"/
	condition:
		$s
}

rule install_script_setup_bun
{
	meta:
		description = "preinstall runs \"node setup_bun.js\", the Shai-Hulud 2.0 loader"
		severity = "critical"
		family = "shai-hulud-2"
		reference = "https://github.com/jfrog/research"
	strings:
		$s = /"preinstall"\s*:\s*"node\s+(\.\/)?setup_bun\.js/
	condition:
		$s
}

rule install_script_setup_mjs
{
	meta:
		description = "preinstall runs \"node setup.mjs\", the Mini Shai-Hulud loader that fetches Bun and runs the payload"
		severity = "high"
		family = "mini-shai-hulud"
		reference = "https://github.com/copyleftdev/mini-shai-hulud-dragnet"
	strings:
		$s = /"preinstall"\s*:\s*"node\s+(\.\/)?setup\.mjs/
	condition:
		$s
}

rule install_script_bun_run
{
	meta:
		description = "lifecycle script runs a file with Bun (bun run x.js), as the Shai-Hulud 2.0 and Mini Shai-Hulud loaders do to escape Node-based monitoring"
		severity = "medium"
		family = "install-script"
		reference = "https://github.com/advisories/GHSA-g7cv-rxg3-hmpx"
	strings:
		$s = /"(preinstall|install|postinstall|prepare)"\s*:\s*"([^"\\\n]|\\.){0,200}\bbun\s+(run\s+)?[A-Za-z0-9_.\/-]{1,100}\.(js|mjs|cjs|ts)\b/
	condition:
		$s
}

rule obfuscated_base64_eval
{
	meta:
		description = "code decodes base64 and evaluates it (eval(atob(...)), new Function(Buffer.from(..., 'base64')))"
		severity = "medium"
		family = "install-script"
		reference = "https://github.com/advisories/GHSA-g7cv-rxg3-hmpx"
	strings:
		$atob = /\b(eval|Function)\s*\(\s*atob\s*\(/
		$buf = /\b(eval|Function)\s*\(\s*(Buffer\.from|new\s+Buffer)\s*\(/
		$b64 = "base64"
	condition:
		$atob or ($buf and $b64)
}

rule credential_harvest_exfil
{
	meta:
		description = "code reads ~/.npmrc and ~/.aws/credentials and a GitHub or npm token together, and sends an HTTP POST"
		severity = "high"
		family = "install-script"
		reference = "https://github.com/Cobenian/shai-hulud-detect"
	strings:
		$npmrc = ".npmrc"
		$aws = ".aws/credentials"
		$tok1 = "GITHUB_TOKEN"
		$tok2 = "NPM_TOKEN"
		$tok3 = "GH_TOKEN"
		$post1 = /method\s*:\s*['"]POST['"]/ nocase
		$post2 = "https.request"
		$post3 = "axios.post"
		$post4 = "curl -X POST"
		$post5 = "--data-binary"
	condition:
		$npmrc and $aws and 1 of ($tok*) and 1 of ($post*)
}

export PATH="$HOME/bin:$PATH"
alias ll="ls -l"

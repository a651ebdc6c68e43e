"""Telegram side of `core.quizzes`: /quiz, /review, /groupquiz, their buttons and poll
answers, and the sender that posts a group quiz's polls."""

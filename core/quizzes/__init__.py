"""Quizzes: picking and grading questions, private sessions and reviews, group quizzes
(polls and buttons) and question statistics. May import `config`, `store` and
`organization`."""
